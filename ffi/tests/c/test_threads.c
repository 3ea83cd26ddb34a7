/*
 * The C ABI used from several threads at once, and misused: every thread renders reports,
 * parses ranges and evaluates one shared threshold, while failing on purpose in between
 * (NULL, invalid UTF-8, zero and huge lengths, bad JSON); each thread's last error must be
 * its own, and every answer must be a code, never a crash. Run under ASan/UBSan and
 * Valgrind by the test command.
 *
 * Usage: test_threads
 */
#define _DEFAULT_SOURCE
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsbook.h"

#define THREADS 8
#define ROUNDS 150

static opsbook_threshold *shared_threshold;

struct outcome {
  int id;
  int failures;
  char first_failure[256];
};

static void fail(struct outcome *o, const char *what) {
  if (o->failures++ == 0) {
    snprintf(o->first_failure, sizeof o->first_failure, "thread %d: %s", o->id, what);
  }
}

static bool last_error_contains(const char *needle) {
  char buf[512];
  size_t len = 0;
  if (opsbook_last_error(buf, sizeof buf, &len) != OPSBOOK_RESULT_OK) return false;
  return strstr(buf, needle) != NULL;
}

static void *work(void *arg) {
  struct outcome *o = arg;
  char parts[160];
  char tag[32];
  for (int round = 0; round < ROUNDS; round++) {
    /* A valid report whose title is this thread's own. */
    snprintf(tag, sizeof tag, "t%d-r%d", o->id, round);
    snprintf(parts, sizeof parts,
             "{\"time\": 1720137600, \"language\": \"en\", \"title\": \"%s\", "
             "\"checks\": [{\"name\": \"a\", \"status\": \"WARNING\"}]}",
             tag);
    char *out = NULL;
    uint32_t status = 99;
    if (opsbook_report_render(parts, "text", &out, &status) != OPSBOOK_RESULT_OK || status != OPSBOOK_STATUS_WARNING ||
        !out || !strstr(out, tag)) {
      fail(o, "a valid report");
    }
    opsbook_string_free(out);

    /* A failure naming this thread's value: the last error is this thread's, not another's. */
    snprintf(tag, sizeof tag, "zone-%d-%d", o->id, round);
    snprintf(parts, sizeof parts, "{\"time\": 0, \"tz\": \"%s\"}", tag);
    out = NULL;
    if (opsbook_report_render(parts, "text", &out, &status) != OPSBOOK_RESULT_INVALID_VALUE || out != NULL) {
      fail(o, "an unknown zone is refused");
    }
    if (!last_error_contains(tag)) fail(o, "the last error is the thread's own");

    /* Misuse: NULLs, invalid UTF-8, not JSON, NULL out-pointers. */
    if (opsbook_report_render(NULL, "text", &out, &status) != OPSBOOK_RESULT_NULL_ARGUMENT) fail(o, "NULL parts");
    if (opsbook_report_render("{\"time\": 0}", NULL, &out, &status) != OPSBOOK_RESULT_NULL_ARGUMENT) fail(o, "NULL format");
    if (opsbook_report_render("{\"time\": 0}", "text", NULL, &status) != OPSBOOK_RESULT_NULL_ARGUMENT) fail(o, "NULL out");
    if (opsbook_report_render("{\"title\": \"\xff\xfe\", \"time\": 0}", "text", &out, &status) == OPSBOOK_RESULT_OK) {
      fail(o, "invalid UTF-8 is refused");
    }
    if (opsbook_report_render("[", "text", &out, &status) != OPSBOOK_RESULT_INVALID_VALUE) fail(o, "not JSON");

    /* Ranges: parsed, evaluated, freed; a bad one refused. */
    opsbook_range *range = NULL;
    bool alerts = false;
    if (opsbook_range_parse("warn", "@10:20", &range) != OPSBOOK_RESULT_OK || !range ||
        opsbook_range_alerts(range, 15.0, &alerts) != OPSBOOK_RESULT_OK || !alerts) {
      fail(o, "a range");
    }
    opsbook_range_free(range);
    range = NULL;
    if (opsbook_range_parse("warn", "10:5", &range) != OPSBOOK_RESULT_INVALID_RANGE || range) fail(o, "an inverted range");
    if (opsbook_range_parse("warn", "\xc3\x28", &range) == OPSBOOK_RESULT_OK) fail(o, "invalid UTF-8 range");
    if (opsbook_range_parse("warn", NULL, &range) != OPSBOOK_RESULT_NULL_ARGUMENT) fail(o, "NULL range text");

    /* One threshold shared by every thread, only read. */
    uint32_t s = 99;
    if (opsbook_threshold_evaluate(shared_threshold, 95.0, &s) != OPSBOOK_RESULT_OK || s != OPSBOOK_STATUS_CRITICAL) {
      fail(o, "the shared threshold");
    }

    /* Zero and huge lengths: NULL with a length is refused, NULL with none is fine. */
    if (opsbook_threshold_evaluate_many(shared_threshold, NULL, 0, NULL) != OPSBOOK_RESULT_OK) fail(o, "zero values");
    if (opsbook_threshold_evaluate_many(shared_threshold, NULL, SIZE_MAX, &s) != OPSBOOK_RESULT_NULL_ARGUMENT) {
      fail(o, "NULL values with a huge length");
    }
    opsbook_manifest *manifest = NULL;
    if (opsbook_manifest_parse(NULL, SIZE_MAX / 2, &manifest) != OPSBOOK_RESULT_NULL_ARGUMENT || manifest) {
      fail(o, "NULL manifest bytes with a huge length");
    }
    const uint8_t empty[1] = {0};
    if (opsbook_manifest_parse(empty, 0, &manifest) != OPSBOOK_RESULT_INVALID_VALUE || manifest) fail(o, "an empty manifest");

    /* The last-error buffer: zero and huge lengths, NULL buffer. */
    size_t needed = 0;
    opsbook_result none = opsbook_last_error(NULL, 0, &needed);
    if (none != OPSBOOK_RESULT_NULL_ARGUMENT && none != OPSBOOK_RESULT_BUFFER_TOO_SMALL && none != OPSBOOK_RESULT_OK) {
      fail(o, "last error into no buffer");
    }
    char small[4];
    if (opsbook_range_parse("warn", "x", &range) != OPSBOOK_RESULT_INVALID_RANGE) fail(o, "a bad range");
    if (opsbook_last_error(small, sizeof small, &needed) != OPSBOOK_RESULT_BUFFER_TOO_SMALL || needed <= sizeof small ||
        small[3] != '\0') {
      fail(o, "a truncated last error");
    }
    char big[4096];
    if (opsbook_last_error(big, sizeof big, &needed) != OPSBOOK_RESULT_OK || strlen(big) != needed) {
      fail(o, "last error into a big buffer");
    }
  }
  return NULL;
}

int main(void) {
  opsbook_range *warn = NULL, *crit = NULL;
  if (opsbook_range_parse("warn", "~:80", &warn) != OPSBOOK_RESULT_OK ||
      opsbook_range_parse("crit", "~:90", &crit) != OPSBOOK_RESULT_OK ||
      opsbook_threshold_new(warn, crit, &shared_threshold) != OPSBOOK_RESULT_OK) {
    fprintf(stderr, "could not parse the shared threshold\n");
    return 1;
  }
  opsbook_range_free(warn);
  opsbook_range_free(crit);
  pthread_t threads[THREADS];
  struct outcome outcomes[THREADS];
  for (int i = 0; i < THREADS; i++) {
    outcomes[i] = (struct outcome){.id = i};
    pthread_create(&threads[i], NULL, work, &outcomes[i]);
  }
  int failures = 0;
  for (int i = 0; i < THREADS; i++) {
    pthread_join(threads[i], NULL);
    if (outcomes[i].failures) {
      fprintf(stderr, "%s (%d failures)\n", outcomes[i].first_failure, outcomes[i].failures);
      failures += outcomes[i].failures;
    }
  }
  opsbook_threshold_free(shared_threshold);
  printf("%d threads x %d rounds: %d failures\n", THREADS, ROUNDS, failures);
  return failures == 0 ? 0 : 1;
}
