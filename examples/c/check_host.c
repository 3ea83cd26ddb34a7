/*
 * check_host: a Nagios plugin in C built on opsbook.
 *
 * Checks this host (CPU, memory, swap, load, every mounted disk) against the manuals'
 * default thresholds, prints Nagios plugin output and exits with its code.
 *
 *   cc -I ffi/include examples/c/check_host.c target/release/libopsbook_ffi.a \
 *      -lgcc_s -lutil -lrt -lpthread -lm -ldl -o check_host
 */
#include <stdio.h>

#include "opsbook.h"

int main(void) {
  opsbook_report *report = NULL;
  if (opsbook_check_system(300, &report) != OPSBOOK_RESULT_OK) {
    char message[512];
    opsbook_last_error(message, sizeof message, NULL);
    printf("OPSBOOK UNKNOWN - %s\n", message);
    return OPSBOOK_STATUS_UNKNOWN;
  }
  char *text = NULL;
  int exit_code = OPSBOOK_STATUS_UNKNOWN;
  if (opsbook_report_nagios(report, &text, &exit_code) == OPSBOOK_RESULT_OK) {
    printf("%s\n", text);
  }
  opsbook_string_free(text);
  opsbook_report_free(report);
  return exit_code;
}
