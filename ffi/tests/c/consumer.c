/*
 * A program built against an installed opsbook (scripts/install-c.sh) with pkg-config:
 * it must find the header, link, and run — shared and static alike.
 */
#include <stdio.h>
#include <string.h>
#include "opsbook.h"

#define STR2(x) #x
#define STR(x) STR2(x)

int main(void) {
  const char *want = STR(OPSBOOK_VERSION_MAJOR) "." STR(OPSBOOK_VERSION_MINOR) "." STR(OPSBOOK_VERSION_PATCH);
  if (strcmp(opsbook_version(), want) != 0) {
    fprintf(stderr, "opsbook_version() %s, header %s\n", opsbook_version(), want);
    return 1;
  }
  opsbook_range *r = NULL;
  bool alerts = false;
  if (opsbook_range_parse("warn", "above 80", &r) != OPSBOOK_RESULT_OK || opsbook_range_alerts(r, 91.5, &alerts) != OPSBOOK_RESULT_OK || !alerts) {
    fprintf(stderr, "range evaluation failed\n");
    return 1;
  }
  opsbook_range_free(r);
  printf("opsbook %s: above 80 alerts at 91.5\n", opsbook_version());
  return 0;
}
