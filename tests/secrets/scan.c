/*
 * The C part of tests/secrets/scan.py: prints everything opsbook's C API gives back for a
 * policy whose secrets are planted (the report, a whole pass and its kept state, the health
 * report's renderings, the last error of a refused policy).
 *
 * Usage: scan_c POLICY_FILE BAD_POLICY_TOML
 */
#define _DEFAULT_SOURCE
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "opsbook.h"

static void print_last_error(const char *what) {
  char buf[2048];
  size_t len = 0;
  opsbook_last_error(buf, sizeof buf, &len);
  printf("%s: %s\n", what, buf);
}

static char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *text = calloc((size_t)n + 1, 1);
  if (fread(text, 1, (size_t)n, f) != (size_t)n) n = 0;
  fclose(f);
  return text;
}

int main(int argc, char **argv) {
  if (argc != 3) return 2;
  char *out = NULL;
  uint32_t status = 0;
  for (const char *const *format = (const char *const[]){"text", "json", NULL}; *format; format++) {
    if (opsbook_report_from_policy(argv[1], "daily", 1720137600.0, NULL, *format, &out, &status) == OPSBOOK_RESULT_OK) {
      printf("%s\n", out);
      opsbook_string_free(out);
      out = NULL;
    } else {
      print_last_error("report");
    }
  }
  char state[] = "/tmp/opsbook-secrets-c-XXXXXX";
  int fd = mkstemp(state);
  if (fd >= 0) close(fd);
  unlink(state);
  for (const char *const *format = (const char *const[]){"text", "json", NULL}; *format; format++) {
    if (opsbook_run(argv[1], state, NAN, 1, "daily", *format, &out, &status) == OPSBOOK_RESULT_OK) {
      printf("%s\n", out);
      opsbook_string_free(out);
      out = NULL;
    } else {
      print_last_error("run");
    }
  }
  char *kept = slurp(state);
  if (kept) printf("%s\n", kept);
  free(kept);
  unlink(state);
  char *toml = slurp(argv[1]);
  opsbook_runner *runner = NULL;
  if (toml && opsbook_runner_from_toml(toml, &runner) == OPSBOOK_RESULT_OK) {
    opsbook_report *report = NULL;
    if (opsbook_runner_run(runner, NULL, &report) == OPSBOOK_RESULT_OK) {
      int32_t code = 0;
      if (opsbook_report_nagios(report, &out, &code) == OPSBOOK_RESULT_OK) printf("%s\n", out);
      opsbook_string_free(out);
      out = NULL;
      if (opsbook_report_json(report, &out) == OPSBOOK_RESULT_OK) printf("%s\n", out);
      opsbook_string_free(out);
      out = NULL;
      if (opsbook_report_prometheus(report, &out) == OPSBOOK_RESULT_OK) printf("%s\n", out);
      opsbook_string_free(out);
      out = NULL;
      opsbook_report_free(report);
    } else {
      print_last_error("run");
    }
    opsbook_runner_free(runner);
  } else {
    print_last_error("runner");
  }
  free(toml);
  if (opsbook_runner_from_toml(argv[2], &runner) == OPSBOOK_RESULT_OK) {
    printf("a literal password was accepted\n");
    opsbook_runner_free(runner);
    return 1;
  }
  print_last_error("bad policy");
  return 0;
}
