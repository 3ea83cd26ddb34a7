/*
 * Replays the JSON files of tests/vectors through the C API of opsbook, and checks the ABI's
 * conventions (NULL arguments, last error, buffer truncation, freeing NULL).
 *
 * Usage: test_vectors VECTORS_DIR
 * Prints "N passed, N failed" and exits non-zero on any failure.
 */
#define _DEFAULT_SOURCE /* mkdtemp */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "opsbook.h"

static int passed = 0, failed = 0;

#define CHECK(cond, ...)                                   \
  do {                                                     \
    if (cond) {                                            \
      passed++;                                            \
    } else {                                               \
      failed++;                                            \
      fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
      fprintf(stderr, __VA_ARGS__);                        \
      fprintf(stderr, "\n");                               \
    }                                                      \
  } while (0)

static cJSON *load(const char *dir, const char *name) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "cannot open %s\n", path);
    exit(2);
  }
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *text = malloc((size_t)size + 1);
  if (fread(text, 1, (size_t)size, f) != (size_t)size) exit(2);
  text[size] = 0;
  fclose(f);
  cJSON *doc = cJSON_Parse(text);
  free(text);
  if (!doc) {
    fprintf(stderr, "cannot parse %s\n", path);
    exit(2);
  }
  return doc;
}

/* A vector number: a JSON number, or "nan" / "inf" / "-inf". */
static double num(const cJSON *v) {
  if (cJSON_IsNumber(v)) return v->valuedouble;
  if (cJSON_IsString(v)) {
    if (!strcmp(v->valuestring, "nan")) return NAN;
    if (!strcmp(v->valuestring, "inf")) return INFINITY;
    if (!strcmp(v->valuestring, "-inf")) return -INFINITY;
  }
  fprintf(stderr, "bad number in vectors\n");
  exit(2);
}

/* The core error code ("OPSBOOK_INVALID_RANGE") a result code stands for. */
static int same_code(opsbook_result rc, const char *core_code) {
  const char *name = opsbook_result_name((uint32_t)rc);
  return !strcmp(name + strlen("OPSBOOK_RESULT_"), core_code + strlen("OPSBOOK_"));
}

static const char *last_error(void) {
  static char buf[1024];
  opsbook_last_error(buf, sizeof buf, NULL);
  return buf;
}

static uint32_t status_from_name(const char *name) {
  uint32_t s = 99;
  opsbook_status_parse(name, &s);
  return s;
}

/* A vector limit: NULL, Nagios text, or {form: bound}. *out stays NULL for none. */
static opsbook_result limit(const char *field, const cJSON *v, opsbook_range **out) {
  *out = NULL;
  if (v == NULL || cJSON_IsNull(v)) return OPSBOOK_RESULT_OK;
  if (cJSON_IsString(v)) return opsbook_range_parse(field, v->valuestring, out);
  const cJSON *form = v->child;
  return opsbook_range_from_form(field, form->string, num(form), out);
}

static void replay_ranges(const char *dir) {
  cJSON *doc = load(dir, "ranges.json");
  int replayed = 0;
  const cJSON *c;
  cJSON_ArrayForEach(c, cJSON_GetObjectItem(doc, "cases")) {
    const char *id = cJSON_GetObjectItem(c, "id")->valuestring;
    opsbook_range *r = NULL;
    opsbook_result rc = opsbook_range_parse("range", cJSON_GetObjectItem(c, "range")->valuestring, &r);
    const cJSON *err = cJSON_GetObjectItem(c, "error");
    if (err) {
      CHECK(rc == OPSBOOK_RESULT_INVALID_RANGE && r == NULL, "%s: expected invalid range, got %d", id, rc);
      CHECK(same_code(rc, err->valuestring), "%s: %s", id, opsbook_result_name(rc));
      CHECK(strstr(last_error(), "invalid range for range") != NULL, "%s: message %s", id, last_error());
    } else {
      CHECK(rc == OPSBOOK_RESULT_OK, "%s: %s", id, last_error());
      double start = 0, end = 0;
      bool inside = false;
      opsbook_range_start(r, &start);
      opsbook_range_end(r, &end);
      opsbook_range_inside(r, &inside);
      CHECK(start == num(cJSON_GetObjectItem(c, "start")), "%s start %g", id, start);
      CHECK(end == num(cJSON_GetObjectItem(c, "end")), "%s end %g", id, end);
      CHECK(inside == cJSON_IsTrue(cJSON_GetObjectItem(c, "inside")), "%s inside", id);
      char *text = NULL;
      opsbook_range_to_string(r, &text);
      CHECK(text && !strcmp(text, cJSON_GetObjectItem(c, "text")->valuestring), "%s text %s", id, text);
      opsbook_string_free(text);
      const cJSON *pair;
      cJSON_ArrayForEach(pair, cJSON_GetObjectItem(c, "alerts")) {
        bool alerts = false;
        double value = num(cJSON_GetArrayItem(pair, 0));
        opsbook_range_alerts(r, value, &alerts);
        CHECK(alerts == cJSON_IsTrue(cJSON_GetArrayItem(pair, 1)), "%s value %g", id, value);
      }
    }
    opsbook_range_free(r);
    replayed++;
  }
  CHECK(replayed == cJSON_GetArraySize(cJSON_GetObjectItem(doc, "cases")) && replayed == 32, "ranges replayed %d", replayed);
  cJSON_Delete(doc);
}

static void replay_thresholds(const char *dir) {
  cJSON *doc = load(dir, "thresholds.json");
  int replayed = 0;
  const cJSON *c;
  cJSON_ArrayForEach(c, cJSON_GetObjectItem(doc, "cases")) {
    const char *id = cJSON_GetObjectItem(c, "id")->valuestring;
    opsbook_range *warn = NULL, *crit = NULL;
    opsbook_result rc = limit("warn", cJSON_GetObjectItem(c, "warn"), &warn);
    if (rc == OPSBOOK_RESULT_OK) rc = limit("crit", cJSON_GetObjectItem(c, "crit"), &crit);
    const cJSON *err = cJSON_GetObjectItem(c, "error");
    if (err) {
      char expected[64];
      snprintf(expected, sizeof expected, "invalid range for %s", cJSON_GetObjectItem(err, "field")->valuestring);
      CHECK(same_code(rc, cJSON_GetObjectItem(err, "code")->valuestring), "%s: rc %d", id, rc);
      CHECK(strstr(last_error(), expected) != NULL, "%s: message %s", id, last_error());
    } else {
      opsbook_threshold *t = NULL;
      CHECK(opsbook_threshold_new(warn, crit, &t) == OPSBOOK_RESULT_OK, "%s", id);
      uint32_t status = 99;
      opsbook_threshold_evaluate(t, num(cJSON_GetObjectItem(c, "value")), &status);
      const char *want = cJSON_GetObjectItem(c, "status")->valuestring;
      CHECK(status == status_from_name(want), "%s: got %s want %s", id, opsbook_status_name(status), want);
      double values[2] = {num(cJSON_GetObjectItem(c, "value")), num(cJSON_GetObjectItem(c, "value"))};
      uint32_t many[2] = {99, 99};
      CHECK(opsbook_threshold_evaluate_many(t, values, 2, many) == OPSBOOK_RESULT_OK, "%s many", id);
      CHECK(many[0] == status_from_name(want) && many[1] == many[0], "%s many", id);
      opsbook_threshold_free(t);
    }
    opsbook_range_free(warn);
    opsbook_range_free(crit);
    replayed++;
  }
  CHECK(replayed == 31, "thresholds replayed %d", replayed);
  cJSON_Delete(doc);
}

static void replay_status(const char *dir) {
  cJSON *doc = load(dir, "status.json");
  int replayed = 0;
  const cJSON *m;
  cJSON_ArrayForEach(m, cJSON_GetObjectItem(doc, "mappings")) {
    uint32_t s = status_from_name(cJSON_GetObjectItem(m, "status")->valuestring);
    CHECK((int)s == cJSON_GetObjectItem(m, "exit_code")->valueint, "exit code of %u", s);
    CHECK(!strcmp(opsbook_status_health(s), cJSON_GetObjectItem(m, "health")->valuestring), "health of %u", s);
    CHECK(opsbook_status_http(s) == cJSON_GetObjectItem(m, "http")->valueint, "http of %u", s);
    replayed++;
  }
  const cJSON *a;
  cJSON_ArrayForEach(a, cJSON_GetObjectItem(doc, "aggregation")) {
    uint32_t list[16];
    size_t n = 0;
    const cJSON *s;
    cJSON_ArrayForEach(s, cJSON_GetObjectItem(a, "statuses")) list[n++] = status_from_name(s->valuestring);
    uint32_t worst = 99;
    CHECK(opsbook_status_worst(n ? list : NULL, n, &worst) == OPSBOOK_RESULT_OK, "worst");
    CHECK(!strcmp(opsbook_status_name(worst), cJSON_GetObjectItem(a, "worst")->valuestring), "worst %u", worst);
    replayed++;
  }
  CHECK(replayed == 14, "status replayed %d", replayed);
  cJSON_Delete(doc);
}

static const char *text_of(const cJSON *obj, const char *key) {
  const cJSON *v = cJSON_GetObjectItem(obj, key);
  return v && cJSON_IsString(v) ? v->valuestring : NULL;
}

static opsbook_report *build_report(const cJSON *spec) {
  opsbook_report *report = NULL;
  opsbook_report_new(&report);
  const char *infos[] = {"description", "service_id", "version", "release_id"};
  for (uint32_t i = 0; i < 4; i++)
    if (text_of(spec, infos[i])) opsbook_report_set_info(report, i, text_of(spec, infos[i]));
  const cJSON *c;
  cJSON_ArrayForEach(c, cJSON_GetObjectItem(spec, "checks")) {
    opsbook_measurement *ms[16];
    size_t n = 0;
    const cJSON *m;
    cJSON_ArrayForEach(m, cJSON_GetObjectItem(c, "measurements")) {
      opsbook_measurement *meas = NULL;
      opsbook_measurement_new(text_of(m, "name"), num(cJSON_GetObjectItem(m, "value")), &meas);
      opsbook_range *warn = NULL, *crit = NULL;
      limit("warn", cJSON_GetObjectItem(m, "warn"), &warn);
      limit("crit", cJSON_GetObjectItem(m, "crit"), &crit);
      opsbook_measurement_set_thresholds(meas, warn, crit);
      opsbook_range_free(warn);
      opsbook_range_free(crit);
      if (text_of(m, "unit")) opsbook_measurement_set_unit(meas, text_of(m, "unit"));
      const cJSON *min = cJSON_GetObjectItem(m, "min"), *max = cJSON_GetObjectItem(m, "max");
      opsbook_measurement_set_bounds(meas, min ? num(min) : NAN, max ? num(max) : NAN);
      const cJSON *label;
      cJSON_ArrayForEach(label, cJSON_GetObjectItem(m, "labels")) {
        opsbook_measurement_add_label(meas, label->string, label->valuestring);
      }
      ms[n++] = meas;
    }
    opsbook_check_result *check = NULL;
    if (text_of(c, "status")) {
      opsbook_check_result_new(text_of(c, "name"), status_from_name(text_of(c, "status")), text_of(c, "summary"), &check);
      for (size_t i = 0; i < n; i++) opsbook_check_result_add_measurement(check, ms[i]);
    } else {
      opsbook_check_result_from_measurements(text_of(c, "name"), (const opsbook_measurement *const *)ms, n, &check);
    }
    for (size_t i = 0; i < n; i++) opsbook_measurement_free(ms[i]);
    opsbook_check_result_set_error(check, text_of(c, "error"));
    opsbook_check_result_set_component_type(check, text_of(c, "component_type"));
    opsbook_check_result_set_time(check, text_of(c, "time"));
    const cJSON *d = cJSON_GetObjectItem(c, "duration_seconds");
    if (d) opsbook_check_result_set_duration(check, num(d));
    opsbook_report_add_check(report, check);
    opsbook_check_result_free(check);
  }
  return report;
}

static void replay_reports(const char *dir) {
  cJSON *doc = load(dir, "reports.json");
  int replayed = 0;
  const cJSON *c;
  cJSON_ArrayForEach(c, cJSON_GetObjectItem(doc, "cases")) {
    const char *id = text_of(c, "id");
    opsbook_report *r = build_report(cJSON_GetObjectItem(c, "report"));
    uint32_t status = 99;
    opsbook_report_status(r, &status);
    CHECK(!strcmp(opsbook_status_name(status), text_of(c, "status")), "%s status", id);
    char *out = NULL;
    opsbook_report_health_json(r, true, &out);
    CHECK(!strcmp(out, text_of(c, "health_json")), "%s health_json:\n%s", id, out);
    opsbook_string_free(out);
    opsbook_report_health_json(r, false, &out);
    CHECK(!strcmp(out, text_of(c, "health_json_public")), "%s public:\n%s", id, out);
    opsbook_string_free(out);
    int exit_code = -1;
    opsbook_report_nagios(r, &out, &exit_code);
    CHECK(!strcmp(out, text_of(c, "nagios")), "%s nagios:\n%s", id, out);
    CHECK(exit_code == cJSON_GetObjectItem(c, "exit_code")->valueint, "%s exit %d", id, exit_code);
    opsbook_string_free(out);
    opsbook_report_prometheus(r, &out);
    CHECK(!strcmp(out, text_of(c, "prometheus")), "%s prometheus:\n%s", id, out);
    opsbook_string_free(out);
    opsbook_report_free(r);
    replayed++;
  }
  CHECK(replayed == 5, "reports replayed %d", replayed);
  cJSON_Delete(doc);
}

static void abi_conventions(void) {
  opsbook_range *r = NULL;
  CHECK(opsbook_range_parse("warn", NULL, &r) == OPSBOOK_RESULT_NULL_ARGUMENT, "NULL text");
  CHECK(strstr(last_error(), "text") != NULL, "NULL message names the argument: %s", last_error());
  CHECK(opsbook_range_parse("warn", "10", NULL) == OPSBOOK_RESULT_NULL_ARGUMENT, "NULL out");
  CHECK(opsbook_range_parse("warn", "\xff\xfe", &r) == OPSBOOK_RESULT_INVALID_UTF8 && r == NULL, "bad UTF-8");
  bool alerts;
  CHECK(opsbook_range_alerts(NULL, 1.0, &alerts) == OPSBOOK_RESULT_NULL_ARGUMENT, "NULL handle");
  uint32_t out;
  uint32_t bogus[] = {0, 7};
  CHECK(opsbook_status_worst(bogus, 2, &out) == OPSBOOK_RESULT_INVALID_VALUE, "status 7 is refused");
  CHECK(opsbook_status_worst(NULL, 3, &out) == OPSBOOK_RESULT_NULL_ARGUMENT, "NULL list with a length");
  CHECK(opsbook_status_name(42) == NULL, "no name for 42");
  CHECK(opsbook_status_http(42) == 0, "no http for 42");
  opsbook_check_result *c = NULL;
  CHECK(opsbook_check_result_new("x", 9, "s", &c) == OPSBOOK_RESULT_INVALID_VALUE && c == NULL, "status 9");
  CHECK(opsbook_check_result_new("", 0, "s", &c) == OPSBOOK_RESULT_INVALID_VALUE, "empty name");
  CHECK(opsbook_check_result_new("x", 0, "s", &c) == OPSBOOK_RESULT_OK, "check");
  CHECK(opsbook_check_result_set_time(c, "yesterday") == OPSBOOK_RESULT_INVALID_VALUE, "bad time");
  CHECK(strstr(last_error(), "\"yesterday\"") != NULL, "time message: %s", last_error());
  CHECK(opsbook_check_result_set_duration(c, -1.0) == OPSBOOK_RESULT_INVALID_VALUE, "negative duration");
  opsbook_check_result_free(c);
  opsbook_measurement *m = NULL;
  opsbook_measurement_new("m", 1.0, &m);
  CHECK(opsbook_measurement_add_label(m, "bad-name", "v") == OPSBOOK_RESULT_INVALID_VALUE, "label name");
  opsbook_measurement_free(m);

  /* A successful call clears the last error; truncation keeps whole UTF-8 characters. */
  CHECK(opsbook_range_parse("警告阈值", "2:1", &r) == OPSBOOK_RESULT_INVALID_RANGE, "cjk field");
  char small[12];
  size_t full = 0;
  CHECK(opsbook_last_error(small, sizeof small, &full) == OPSBOOK_RESULT_BUFFER_TOO_SMALL, "truncated");
  CHECK(full > sizeof small && strlen(small) <= sizeof small - 1, "full length %zu", full);
  CHECK(!strcmp(small, "invalid ran"), "cut at 11 bytes: %s", small);
  char fits[22], cut[21]; /* "invalid range for 警" is 18 + 3 bytes, plus the NUL */
  opsbook_last_error(fits, sizeof fits, NULL);
  CHECK(!strcmp(fits, "invalid range for 警"), "whole character: %s", fits);
  opsbook_last_error(cut, sizeof cut, NULL);
  CHECK(!strcmp(cut, "invalid range for "), "cut on a character boundary: %s", cut);
  CHECK(opsbook_range_parse("warn", "10", &r) == OPSBOOK_RESULT_OK, "ok");
  CHECK(strlen(last_error()) == 0, "cleared");
  opsbook_range_free(r);

  /* Freeing NULL is fine. */
  opsbook_range_free(NULL);
  opsbook_threshold_free(NULL);
  opsbook_measurement_free(NULL);
  opsbook_check_result_free(NULL);
  opsbook_report_free(NULL);
  opsbook_string_free(NULL);
  CHECK(strlen(opsbook_version()) > 0, "version");
}

/* Checks declared in JSON and TOML, run through the C ABI against real local components. */
static void runner_checks(void) {
  const char *json =
      "{\"version\": 1, \"checks\": ["
      "{\"name\": \"nginx\", \"type\": \"command\", \"argv\": [\"sh\", \"-c\", \"echo active\"], \"tags\": [\"liveness\"]},"
      "{\"name\": \"closed\", \"type\": \"tcp\", \"host\": \"127.0.0.1\", \"port\": 9, \"timeout\": \"2s\"}]}";
  opsbook_runner *runner = NULL;
  CHECK(opsbook_runner_from_json(json, &runner) == OPSBOOK_RESULT_OK, "runner from json: %s", last_error());
  char *names = NULL;
  opsbook_runner_check_names(runner, &names);
  CHECK(names && !strcmp(names, "[\"nginx\",\"closed\"]"), "names %s", names);
  opsbook_string_free(names);
  opsbook_report *report = NULL;
  CHECK(opsbook_runner_run(runner, NULL, &report) == OPSBOOK_RESULT_OK, "run");
  uint32_t status = 99;
  opsbook_report_status(report, &status);
  CHECK(status == OPSBOOK_STATUS_CRITICAL, "port 9 is closed: %u", status);
  char *out = NULL;
  opsbook_report_json(report, &out);
  cJSON *doc = cJSON_Parse(out);
  CHECK(doc != NULL, "report json parses");
  const cJSON *checks = cJSON_GetObjectItem(doc, "checks");
  CHECK(!strcmp(text_of(cJSON_GetArrayItem(checks, 0), "status"), "OK"), "nginx ok");
  CHECK(strstr(text_of(cJSON_GetArrayItem(checks, 1), "error"), "127.0.0.1:9") != NULL, "tcp error names the port");
  cJSON_Delete(doc);
  opsbook_string_free(out);
  opsbook_report_free(report);
  CHECK(opsbook_runner_run(runner, "liveness", &report) == OPSBOOK_RESULT_OK, "run by tag");
  opsbook_report_status(report, &status);
  CHECK(status == OPSBOOK_STATUS_OK, "liveness only: %u", status);
  opsbook_report_free(report);
  CHECK(opsbook_runner_run(NULL, NULL, &report) == OPSBOOK_RESULT_NULL_ARGUMENT, "NULL runner");
  opsbook_runner_free(runner);

  if (getenv("OPSBOOK_TEST_REDIS_URL")) {
    const char *toml =
        "version = 1\n[[checks]]\nname = \"cache\"\ntype = \"redis\"\nurl_env = \"OPSBOOK_TEST_REDIS_URL\"\n"
        "thresholds.used_memory = { warn = \"above 1073741824\", crit = \"above 2147483648\" }\n";
    CHECK(opsbook_runner_from_toml(toml, &runner) == OPSBOOK_RESULT_OK, "toml: %s", last_error());
    CHECK(opsbook_runner_run(runner, NULL, &report) == OPSBOOK_RESULT_OK, "redis run");
    opsbook_report_status(report, &status);
    CHECK(status == OPSBOOK_STATUS_OK, "real redis is healthy: %u", status);
    opsbook_report_free(report);
    opsbook_runner_free(runner);
  } else {
    CHECK(getenv("CI") == NULL || strcmp(getenv("CI"), "true") != 0, "CI=true needs OPSBOOK_TEST_REDIS_URL");
    fprintf(stderr, "skipped: redis runner check (OPSBOOK_TEST_REDIS_URL not set)\n");
  }

  runner = NULL;
  CHECK(opsbook_runner_from_toml("version = 1\n[[checks]]\nname = \"x\"\ntype = \"tcp\"\nport = 1\nhost = \"h\"\nprot = 2\n", &runner) ==
            OPSBOOK_RESULT_INVALID_VALUE && runner == NULL, "bad toml");
  CHECK(strstr(last_error(), "prot") != NULL, "error names the key: %s", last_error());
  CHECK(opsbook_runner_from_json("{not json", &runner) == OPSBOOK_RESULT_INVALID_VALUE, "bad json");
  opsbook_runner_free(NULL);
}

static void replay_policies(const char *dir) {
  cJSON *doc = load(dir, "policies.json");
  int replayed = 0;
  const cJSON *c;
  cJSON_ArrayForEach(c, cJSON_GetObjectItem(doc, "cases")) {
    const char *id = text_of(c, "id");
    char *text = cJSON_PrintUnformatted(cJSON_GetObjectItem(c, "policy"));
    opsbook_runner *runner = NULL;
    opsbook_result rc = opsbook_runner_from_json(text, &runner);
    free(text);
    const cJSON *err = cJSON_GetObjectItem(c, "error");
    if (err) {
      CHECK(same_code(rc, text_of(err, "code")) && runner == NULL, "%s: %s", id, opsbook_result_name(rc));
      const char *message = last_error();
      const cJSON *needle;
      cJSON_ArrayForEach(needle, cJSON_GetObjectItem(err, "contains")) {
        CHECK(strstr(message, needle->valuestring) != NULL, "%s: %s lacks %s", id, message, needle->valuestring);
      }
      cJSON_ArrayForEach(needle, cJSON_GetObjectItem(err, "absent")) {
        CHECK(strstr(message, needle->valuestring) == NULL, "%s: %s leaks %s", id, message, needle->valuestring);
      }
    } else {
      CHECK(rc == OPSBOOK_RESULT_OK, "%s: %s", id, last_error());
      char *names = NULL;
      opsbook_runner_check_names(runner, &names);
      char *want = cJSON_PrintUnformatted(cJSON_GetObjectItem(c, "names"));
      CHECK(!strcmp(names, want), "%s names %s", id, names);
      free(want);
      opsbook_string_free(names);
      opsbook_report *report = NULL;
      opsbook_runner_run(runner, NULL, &report);
      char *json = NULL;
      opsbook_report_json(report, &json);
      cJSON *got = cJSON_Parse(json);
      int i = 0;
      const cJSON *status;
      cJSON_ArrayForEach(status, cJSON_GetObjectItem(c, "statuses")) {
        const cJSON *check = cJSON_GetArrayItem(cJSON_GetObjectItem(got, "checks"), i++);
        CHECK(!strcmp(text_of(check, "status"), status->valuestring), "%s check %d", id, i);
      }
      CHECK(!strcmp(text_of(got, "status"), text_of(c, "status")), "%s status", id);
      cJSON_Delete(got);
      opsbook_string_free(json);
      opsbook_report_free(report);
      opsbook_runner_run(runner, "liveness", &report);
      opsbook_report_json(report, &json);
      got = cJSON_Parse(json);
      CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(got, "checks")) == cJSON_GetArraySize(cJSON_GetObjectItem(c, "tag_liveness")), "%s liveness", id);
      cJSON_Delete(got);
      opsbook_string_free(json);
      opsbook_report_free(report);
      opsbook_runner_free(runner);
    }
    replayed++;
  }
  CHECK(replayed == 12, "policies replayed %d", replayed);
  cJSON_Delete(doc);
}

/* ---- forecasts ---- */

/* A JSON array of numbers into a malloc'd array; its length into *len. */
static double *numbers(const cJSON *arr, size_t *len) {
  *len = (size_t)cJSON_GetArraySize(arr);
  double *out = malloc((*len ? *len : 1) * sizeof(double));
  size_t i = 0;
  const cJSON *x;
  cJSON_ArrayForEach(x, arr) out[i++] = num(x);
  return out;
}

static int close_to(double got, double want, double rel) {
  if (isnan(want)) return isnan(got);
  return fabs(got - want) <= rel * fmax(fabs(want), 1.0);
}

static const char *crossing_names[] = {"already_crossed", "in", "not_within_horizon", "flat_or_moving_away"};

/* Runs one forecasts.json case; a number into *value, a crossing into *crossing, a
 * markdown text into *text (caller frees with opsbook_string_free). */
static opsbook_result run_forecast(const cJSON *c, double *value, opsbook_crossing *crossing, char **text) {
  const char *kind = cJSON_GetObjectItem(c, "kind")->valuestring;
  size_t n = 0, n2 = 0;
  double *t = NULL, *v = NULL;
  if (cJSON_GetObjectItem(c, "times")) t = numbers(cJSON_GetObjectItem(c, "times"), &n);
  if (cJSON_GetObjectItem(c, "values")) v = numbers(cJSON_GetObjectItem(c, "values"), &n2);
  const cJSON *w = cJSON_GetObjectItem(c, "window");
  double window = cJSON_IsNumber(w) ? w->valuedouble : 0;
  const double *window_p = cJSON_IsNumber(w) ? &window : NULL;
  const cJSON *mode_j = cJSON_GetObjectItem(c, "mode");
  uint32_t mode = mode_j && !strcmp(mode_j->valuestring, "closed") ? OPSBOOK_RANGE_CLOSED : OPSBOOK_RANGE_LEFT_OPEN;
  const cJSON *at_j = cJSON_GetObjectItem(c, "at");
  double at = cJSON_IsNumber(at_j) ? at_j->valuedouble : 0;
  opsbook_result rc = OPSBOOK_RESULT_OTHER;
  if (!strcmp(kind, "predict_linear")) {
    rc = opsbook_predict_linear(t, v, n, at, num(cJSON_GetObjectItem(c, "seconds")), window_p, mode, value);
  } else if (!strcmp(kind, "deriv")) {
    /* Different lengths would be refused; the vectors' arrays match. */
    rc = opsbook_deriv(t, v, n < n2 ? n : n2, cJSON_IsNumber(at_j) ? &at : NULL, window_p, mode, value);
  } else if (!strcmp(kind, "smoothing")) {
    rc = opsbook_double_exponential_smoothing(v, n2, num(cJSON_GetObjectItem(c, "sf")), num(cJSON_GetObjectItem(c, "tf")), value);
  } else if (!strcmp(kind, "time_to_threshold")) {
    uint32_t breach = !strcmp(cJSON_GetObjectItem(c, "breach")->valuestring, "below") ? OPSBOOK_BREACH_BELOW : OPSBOOK_BREACH_ABOVE;
    rc = opsbook_time_to_threshold(t, v, n, at, num(cJSON_GetObjectItem(c, "limit")), breach,
                                   num(cJSON_GetObjectItem(c, "horizon")), crossing);
  } else if (!strcmp(kind, "compound")) {
    rc = opsbook_compound(num(cJSON_GetObjectItem(c, "current")), num(cJSON_GetObjectItem(c, "rate")),
                          num(cJSON_GetObjectItem(c, "periods")), value);
  } else if (!strcmp(kind, "growth_rate")) {
    rc = opsbook_growth_rate(t, v, n, num(cJSON_GetObjectItem(c, "period")),
                             cJSON_IsTrue(cJSON_GetObjectItem(c, "counter")), value);
  } else if (!strcmp(kind, "capacity")) {
    const cJSON *list = cJSON_GetObjectItem(c, "resources");
    size_t count = (size_t)cJSON_GetArraySize(list), i = 0;
    opsbook_capacity_resource *rs = calloc(count ? count : 1, sizeof *rs);
    const cJSON *r;
    cJSON_ArrayForEach(r, list) {
      const cJSON *g = cJSON_GetObjectItem(r, "monthly_growth"), *l = cJSON_GetObjectItem(r, "limit");
      rs[i].name = cJSON_GetObjectItem(r, "name")->valuestring;
      rs[i].current = num(cJSON_GetObjectItem(r, "current"));
      rs[i].monthly_growth = cJSON_IsNumber(g) ? g->valuedouble : NAN;
      rs[i].limit = cJSON_IsNumber(l) ? l->valuedouble : NAN;
      i++;
    }
    opsbook_capacity_plan *plan = NULL;
    rc = opsbook_capacity_plan_new(rs, count, (uint32_t)num(cJSON_GetObjectItem(c, "months")),
                                   num(cJSON_GetObjectItem(c, "growth_limit_percent")), &plan);
    if (rc == OPSBOOK_RESULT_OK)
      rc = opsbook_capacity_plan_markdown(plan, cJSON_GetObjectItem(c, "date")->valuestring,
                                          cJSON_GetObjectItem(c, "language")->valuestring, text);
    opsbook_capacity_plan_free(plan);
    free(rs);
  } else if (!strcmp(kind, "sizing")) {
    const cJSON *list = cJSON_GetObjectItem(c, "rules");
    size_t count = cJSON_IsArray(list) ? (size_t)cJSON_GetArraySize(list) : 0, i = 0;
    opsbook_sizing_rule *rs = calloc(count ? count : 1, sizeof *rs);
    const cJSON *r;
    if (count) cJSON_ArrayForEach(r, list) {
      const cJSON *pu = cJSON_GetObjectItem(r, "per_users"), *p1 = cJSON_GetObjectItem(r, "per_user");
      rs[i].resource = cJSON_GetObjectItem(r, "resource")->valuestring;
      rs[i].per_users = cJSON_IsNumber(pu) ? pu->valuedouble : NAN;
      rs[i].per_user = cJSON_IsNumber(p1) ? p1->valuedouble : NAN;
      rs[i].minimum = num(cJSON_GetObjectItem(r, "minimum"));
      i++;
    }
    double needs[8];
    rc = opsbook_resource_needs(num(cJSON_GetObjectItem(c, "users")), num(cJSON_GetObjectItem(c, "monthly_growth")),
                                num(cJSON_GetObjectItem(c, "months")), count ? rs : NULL, count, value, needs);
    if (rc == OPSBOOK_RESULT_OK) {
      /* The needs in the rules' order (the manual's: cpu_cores, memory_gb, storage_gb) as JSON text. */
      static const char *manual[] = {"cpu_cores", "memory_gb", "storage_gb"};
      cJSON *obj = cJSON_CreateObject();
      size_t n = count ? count : 3;
      for (i = 0; i < n; i++) cJSON_AddNumberToObject(obj, count ? rs[i].resource : manual[i], needs[i]);
      char *printed = cJSON_PrintUnformatted(obj);
      *text = malloc(strlen(printed) + 1);
      strcpy(*text, printed);
      free(printed);
      cJSON_Delete(obj);
    }
    free(rs);
  }
  free(t);
  free(v);
  return rc;
}

static void replay_forecasts(const char *dir) {
  cJSON *doc = load(dir, "forecasts.json");
  int replayed = 0;
  const cJSON *c;
  cJSON_ArrayForEach(c, cJSON_GetObjectItem(doc, "cases")) {
    const char *id = cJSON_GetObjectItem(c, "id")->valuestring;
    double value = NAN;
    opsbook_crossing crossing = {99, NAN, NAN, NAN};
    char *text = NULL;
    opsbook_result rc = run_forecast(c, &value, &crossing, &text);
    const cJSON *err = cJSON_GetObjectItem(c, "error");
    const cJSON *expect = cJSON_GetObjectItem(c, "expect");
    if (err) {
      CHECK(same_code(rc, cJSON_GetObjectItem(err, "code")->valuestring), "%s: code %s", id, opsbook_result_name((uint32_t)rc));
      CHECK(strstr(last_error(), cJSON_GetObjectItem(err, "field")->valuestring) != NULL, "%s: %s", id, last_error());
    } else if (rc != OPSBOOK_RESULT_OK) {
      CHECK(0, "%s: %s: %s", id, opsbook_result_name((uint32_t)rc), last_error());
    } else if (!strcmp(cJSON_GetObjectItem(c, "kind")->valuestring, "sizing")) {
      CHECK(close_to(value, num(cJSON_GetObjectItem(expect, "users")), 1e-9), "%s: users %g", id, value);
      cJSON *got = cJSON_Parse(text);
      const cJSON *want_needs = cJSON_GetObjectItem(expect, "needs"), *x;
      CHECK(cJSON_GetArraySize(got) == cJSON_GetArraySize(want_needs), "%s: needs count", id);
      cJSON_ArrayForEach(x, want_needs) {
        const cJSON *g = cJSON_GetObjectItem(got, x->string);
        CHECK(g && close_to(g->valuedouble, num(x), 1e-9), "%s: %s", id, x->string);
      }
      cJSON_Delete(got);
      free(text);
      text = NULL;
    } else if (cJSON_IsObject(expect)) {
      const char *want = cJSON_GetObjectItem(expect, "kind")->valuestring;
      CHECK(crossing.kind < 4 && !strcmp(crossing_names[crossing.kind], want), "%s: kind %u", id, crossing.kind);
      const cJSON *x;
      if ((x = cJSON_GetObjectItem(expect, "seconds"))) CHECK(close_to(crossing.seconds, num(x), 1e-9), "%s seconds %g", id, crossing.seconds);
      if ((x = cJSON_GetObjectItem(expect, "earliest"))) CHECK(close_to(crossing.earliest, num(x), 1e-9), "%s earliest %g", id, crossing.earliest);
      if ((x = cJSON_GetObjectItem(expect, "latest"))) CHECK(close_to(crossing.latest, num(x), 1e-9), "%s latest %g", id, crossing.latest);
    } else if (cJSON_IsString(expect) && !strcmp(cJSON_GetObjectItem(c, "kind")->valuestring, "capacity")) {
      CHECK(text && !strcmp(text, expect->valuestring), "%s: markdown differs:\n%s", id, text ? text : "(null)");
    } else {
      CHECK(close_to(value, num(expect), 1e-9), "%s: got %.17g", id, value);
    }
    opsbook_string_free(text);
    replayed++;
  }
  CHECK(replayed == 33, "forecasts replayed %d", replayed);
  cJSON_Delete(doc);
}

static void replay_holt_winters(const char *dir) {
  cJSON *doc = load(dir, "holt_winters.json");
  int replayed = 0;
  const cJSON *c;
  cJSON_ArrayForEach(c, cJSON_GetObjectItem(doc, "cases")) {
    const char *id = cJSON_GetObjectItem(c, "id")->valuestring;
    size_t n, m = (size_t)cJSON_GetObjectItem(c, "season_length")->valueint;
    double *values = numbers(cJSON_GetObjectItem(c, "values"), &n);
    const cJSON *p = cJSON_GetObjectItem(c, "params");
    const cJSON *gamma = cJSON_GetObjectItem(p, "gamma");
    opsbook_hw_params params = {num(cJSON_GetObjectItem(p, "alpha")), num(cJSON_GetObjectItem(p, "beta")),
                                gamma ? num(gamma) : 0.0, num(cJSON_GetObjectItem(p, "phi"))};
    opsbook_hw_initial known, *initial = NULL;
    double *known_seasonal = NULL;
    if (!strcmp(cJSON_GetObjectItem(c, "initialization")->valuestring, "known")) {
      const cJSON *k = cJSON_GetObjectItem(c, "known");
      size_t km;
      known_seasonal = numbers(cJSON_GetObjectItem(k, "seasonal"), &km);
      known = (opsbook_hw_initial){num(cJSON_GetObjectItem(k, "level")), num(cJSON_GetObjectItem(k, "trend")), known_seasonal, km};
      initial = &known;
    }
    opsbook_hw_fit *fit = NULL;
    opsbook_result rc = opsbook_hw_smooth(values, n, m, cJSON_IsTrue(cJSON_GetObjectItem(c, "damped")), &params, initial, &fit);
    CHECK(rc == OPSBOOK_RESULT_OK, "%s: %s", id, last_error());
    if (rc == OPSBOOK_RESULT_OK) {
      const cJSON *e = cJSON_GetObjectItem(c, "expect");
      const cJSON *ei = cJSON_GetObjectItem(e, "initial");
      double level, trend, sse, *seasonal = calloc(m ? m : 1, sizeof(double)), *fitted = calloc(n, sizeof(double));
      CHECK(opsbook_hw_fit_initial(fit, &level, &trend, seasonal, m) == OPSBOOK_RESULT_OK, "%s initial", id);
      CHECK(close_to(level, num(cJSON_GetObjectItem(ei, "level")), 1e-6), "%s level %g", id, level);
      CHECK(close_to(trend, num(cJSON_GetObjectItem(ei, "trend")), 1e-6), "%s trend %g", id, trend);
      size_t i = 0;
      const cJSON *x;
      cJSON_ArrayForEach(x, cJSON_GetObjectItem(ei, "seasonal")) { CHECK(close_to(seasonal[i], num(x), 1e-6), "%s seasonal[%zu]", id, i); i++; }
      CHECK(opsbook_hw_fit_fitted(fit, fitted, n) == OPSBOOK_RESULT_OK, "%s fitted", id);
      i = 0;
      cJSON_ArrayForEach(x, cJSON_GetObjectItem(e, "fitted")) { CHECK(close_to(fitted[i], num(x), 1e-6), "%s fitted[%zu]", id, i); i++; }
      CHECK(opsbook_hw_fit_sse(fit, &sse) == OPSBOOK_RESULT_OK && close_to(sse, num(cJSON_GetObjectItem(e, "sse")), 1e-6), "%s sse %g", id, sse);
      size_t h = (size_t)cJSON_GetObjectItem(e, "horizon")->valueint;
      double *mean = calloc(h, sizeof(double)), *lo = calloc(h, sizeof(double)), *hi = calloc(h, sizeof(double));
      CHECK(opsbook_hw_fit_forecast(fit, h, num(cJSON_GetObjectItem(e, "coverage")), mean, lo, hi) == OPSBOOK_RESULT_OK, "%s forecast", id);
      i = 0;
      cJSON_ArrayForEach(x, cJSON_GetObjectItem(e, "forecast")) { CHECK(close_to(mean[i], num(x), 1e-6), "%s forecast[%zu]", id, i); i++; }
      i = 0;
      cJSON_ArrayForEach(x, cJSON_GetObjectItem(e, "half_width")) { CHECK(close_to((hi[i] - lo[i]) / 2, num(x), 1e-6), "%s half[%zu]", id, i); i++; }
      /* Wrong buffer sizes are refused, not overrun. */
      CHECK(opsbook_hw_fit_fitted(fit, fitted, n + 1) == OPSBOOK_RESULT_INVALID_VALUE, "%s fitted len", id);
      free(seasonal);
      free(fitted);
      free(mean);
      free(lo);
      free(hi);
    }
    opsbook_hw_fit_free(fit);
    free(values);
    free(known_seasonal);
    replayed++;
  }
  CHECK(replayed == 7, "holt-winters replayed %d", replayed);
  /* NULL arguments and bad models answer with codes. */
  double one = 1.0, out;
  opsbook_hw_fit *fit = NULL;
  CHECK(opsbook_predict_linear(NULL, &one, 1, 0, 0, NULL, 0, &out) == OPSBOOK_RESULT_NULL_ARGUMENT, "NULL times");
  CHECK(opsbook_predict_linear(&one, &one, 1, 0, 0, NULL, 7, &out) == OPSBOOK_RESULT_INVALID_VALUE, "bad mode");
  CHECK(opsbook_hw_fit_new(&one, 1, 1, false, false, &fit) == OPSBOOK_RESULT_INVALID_VALUE && fit == NULL, "season 1");
  CHECK(strstr(last_error(), "season_length") != NULL, "%s", last_error());
  CHECK(opsbook_hw_fit_new(NULL, 0, 0, false, false, &fit) == OPSBOOK_RESULT_INVALID_VALUE, "no values");
  CHECK(opsbook_hw_smooth(&one, 1, 0, false, NULL, NULL, &fit) == OPSBOOK_RESULT_NULL_ARGUMENT, "NULL params");
  CHECK(opsbook_hw_fit_sse(NULL, &out) == OPSBOOK_RESULT_NULL_ARGUMENT, "NULL fit");
  CHECK(isnan(opsbook_doubling_time(0)), "doubling time of 0");
  opsbook_hw_fit_free(NULL);
  opsbook_capacity_plan_free(NULL);
  cJSON_Delete(doc);
}

/* ---- rules ---- */

/* A JSON object of strings as an opsbook_label array (pointing into the JSON). */
static opsbook_label *label_array(const cJSON *obj, size_t *len) {
  *len = (size_t)cJSON_GetArraySize(obj);
  opsbook_label *out = calloc(*len ? *len : 1, sizeof *out);
  size_t i = 0;
  const cJSON *x;
  cJSON_ArrayForEach(x, obj) {
    out[i].name = x->string;
    out[i].value = x->valuestring;
    i++;
  }
  return out;
}

/* Whether an event from opsbook matches an expected one (time, kind, rule, labels, notify). */
static int same_event(const cJSON *got, const cJSON *want) {
  const char *t = cJSON_GetObjectItem(got, "time")->valuestring;
  char want_time[64];
  long secs = (long)cJSON_GetObjectItem(want, "time")->valuedouble;
  /* The vectors' times are small offsets from the epoch; opsbook prints RFC 3339 UTC. */
  snprintf(want_time, sizeof want_time, "1970-01-01T%02ld:%02ld:%02ldZ", secs / 3600, secs / 60 % 60, secs % 60);
  if (strcmp(t, want_time)) return 0;
  if (strcmp(cJSON_GetObjectItem(got, "kind")->valuestring, cJSON_GetObjectItem(want, "kind")->valuestring)) return 0;
  if (strcmp(cJSON_GetObjectItem(got, "rule")->valuestring, cJSON_GetObjectItem(want, "rule")->valuestring)) return 0;
  if (cJSON_IsTrue(cJSON_GetObjectItem(got, "notify")) != cJSON_IsTrue(cJSON_GetObjectItem(want, "notify"))) return 0;
  return cJSON_Compare(cJSON_GetObjectItem(got, "labels"), cJSON_GetObjectItem(want, "labels"), 1);
}

static void replay_rules(const char *dir) {
  cJSON *doc = load(dir, "rules.json");
  int replayed = 0;
  const cJSON *c;
  cJSON_ArrayForEach(c, cJSON_GetObjectItem(doc, "cases")) {
    const char *id = cJSON_GetObjectItem(c, "id")->valuestring;
    if (!strcmp(cJSON_GetObjectItem(c, "kind")->valuestring, "fingerprint")) {
      size_t n;
      opsbook_label *ls = label_array(cJSON_GetObjectItem(c, "labels"), &n);
      char hex[17];
      CHECK(opsbook_fingerprint(ls, n, hex) == OPSBOOK_RESULT_OK && !strcmp(hex, cJSON_GetObjectItem(c, "expect")->valuestring),
            "%s: %s", id, hex);
      free(ls);
      replayed++;
      continue;
    }
    cJSON *policy = cJSON_CreateObject();
    cJSON_AddItemToObject(policy, "rules", cJSON_Duplicate(cJSON_GetObjectItem(c, "rules"), 1));
    char *policy_text = cJSON_PrintUnformatted(policy);
    opsbook_rule_engine *engine = NULL;
    opsbook_result rc = opsbook_rule_engine_from_json(policy_text, &engine);
    cJSON *events = cJSON_CreateArray();
    const cJSON *e;
    if (rc == OPSBOOK_RESULT_OK) {
      cJSON_ArrayForEach(e, cJSON_GetObjectItem(c, "evaluations")) {
        const cJSON *list = cJSON_GetObjectItem(e, "samples");
        size_t count = (size_t)cJSON_GetArraySize(list), i = 0;
        opsbook_sample *ss = calloc(count ? count : 1, sizeof *ss);
        opsbook_label **keep = calloc(count ? count : 1, sizeof *keep);
        const cJSON *sj;
        cJSON_ArrayForEach(sj, list) {
          ss[i].metric = cJSON_GetObjectItem(sj, "metric")->valuestring;
          keep[i] = label_array(cJSON_GetObjectItem(sj, "labels"), &ss[i].labels_len);
          ss[i].labels = keep[i];
          ss[i].value = num(cJSON_GetObjectItem(sj, "value"));
          i++;
        }
        char *out = NULL;
        rc = opsbook_rule_engine_evaluate(engine, num(cJSON_GetObjectItem(e, "time")), ss, count, &out);
        for (i = 0; i < count; i++) free(keep[i]);
        free(keep);
        free(ss);
        if (rc != OPSBOOK_RESULT_OK) break;
        cJSON *got = cJSON_Parse(out);
        const cJSON *ev;
        cJSON_ArrayForEach(ev, cJSON_GetObjectItem(got, "events")) cJSON_AddItemToArray(events, cJSON_Duplicate(ev, 1));
        cJSON_Delete(got);
        opsbook_string_free(out);
      }
    }
    const cJSON *err = cJSON_GetObjectItem(c, "error");
    if (err) {
      CHECK(same_code(rc, cJSON_GetObjectItem(err, "code")->valuestring), "%s: code %s", id, opsbook_result_name((uint32_t)rc));
      CHECK(strstr(last_error(), cJSON_GetObjectItem(err, "field")->valuestring) != NULL, "%s: %s", id, last_error());
    } else {
      CHECK(rc == OPSBOOK_RESULT_OK, "%s: %s", id, last_error());
      const cJSON *want = cJSON_GetObjectItem(c, "expect");
      int n = cJSON_GetArraySize(want), ok = n == cJSON_GetArraySize(events);
      for (int k = 0; ok && k < n; k++) ok = same_event(cJSON_GetArrayItem(events, k), cJSON_GetArrayItem(want, k));
      char *printed = cJSON_PrintUnformatted(events);
      CHECK(ok, "%s: events differ: %s", id, printed);
      free(printed);
    }
    cJSON_Delete(events);
    opsbook_rule_engine_free(engine);
    free(policy_text);
    cJSON_Delete(policy);
    replayed++;
  }
  CHECK(replayed == 14, "rules replayed %d", replayed);
  opsbook_rule_engine *engine = NULL;
  CHECK(opsbook_rule_engine_from_json(NULL, &engine) == OPSBOOK_RESULT_NULL_ARGUMENT, "NULL json");
  CHECK(opsbook_rule_engine_evaluate(NULL, 0, NULL, 0, NULL) == OPSBOOK_RESULT_NULL_ARGUMENT, "NULL engine");
  opsbook_rule_engine_free(NULL);
  cJSON_Delete(doc);
}

/* ---- notifications and incidents ---- */

static void notify_and_incidents(void) {
  opsbook_rule_engine *engine = NULL;
  CHECK(opsbook_rule_engine_from_json("{\"rules\": [{\"name\": \"Down\", \"metric\": \"up\", \"alert_when\": \"below 1\", \"severity\": \"critical\"}]}", &engine) == OPSBOOK_RESULT_OK, "engine: %s", last_error());
  opsbook_label job = {"job", "api"};
  opsbook_sample up = {"up", &job, 1, 0.0};
  char *events = NULL;
  CHECK(opsbook_rule_engine_evaluate(engine, 0, &up, 1, &events) == OPSBOOK_RESULT_OK, "evaluate");
  opsbook_dispatcher *d = NULL;
  CHECK(opsbook_dispatcher_from_json("{\"route\": {\"group_by\": [\"alertname\"], \"group_wait\": \"30s\"}}", &d) == OPSBOOK_RESULT_OK, "dispatcher: %s", last_error());
  CHECK(opsbook_dispatcher_receive(d, events, "{\"summary\": \"api down\"}") == OPSBOOK_RESULT_OK, "receive: %s", last_error());
  char *out = NULL;
  CHECK(opsbook_dispatcher_tick(d, 29, &out) == OPSBOOK_RESULT_OK && !strcmp(out, "{\"notifications\":[]}"), "nothing before group_wait: %s", out);
  opsbook_string_free(out);
  CHECK(opsbook_dispatcher_tick(d, 30, &out) == OPSBOOK_RESULT_OK, "tick");
  cJSON *n = cJSON_Parse(out);
  const cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItem(n, "notifications"), 0);
  CHECK(first && !strcmp(cJSON_GetObjectItem(first, "status")->valuestring, "firing") &&
        !strcmp(cJSON_GetObjectItem(first, "groupKey")->valuestring, "{}:{alertname=\"Down\"}"), "notification: %s", out);
  cJSON_Delete(n);
  opsbook_string_free(out);
  opsbook_incidents *m = NULL;
  CHECK(opsbook_incidents_new(NULL, &m) == OPSBOOK_RESULT_OK, "incidents");
  CHECK(opsbook_incidents_on_events(m, events) == OPSBOOK_RESULT_OK, "on_events: %s", last_error());
  CHECK(opsbook_incidents_tick(m, 15 * 60, &out) == OPSBOOK_RESULT_OK && strstr(out, "\"level\":\"P0\"") != NULL, "escalated: %s", out);
  opsbook_string_free(out);
  CHECK(opsbook_incidents_record(m, "INC-0001", "restarted api", 60) == OPSBOOK_RESULT_OK, "record");
  CHECK(opsbook_incidents_acknowledge(m, "INC-0001", "alice", 16 * 60) == OPSBOOK_RESULT_OK, "ack");
  CHECK(opsbook_incidents_acknowledge(m, "INC-0001", "bob", 17 * 60) == OPSBOOK_RESULT_INVALID_VALUE, "second ack refused");
  CHECK(opsbook_incidents_json(m, &out) == OPSBOOK_RESULT_OK && strstr(out, "restarted api") && strstr(out, "acknowledged"), "json: %s", out);
  opsbook_string_free(out);
  CHECK(opsbook_dispatcher_from_json("{\"route\": {\"group_wait\": \"soon\"}}", &d) == OPSBOOK_RESULT_INVALID_VALUE &&
        strstr(last_error(), "route.group_wait"), "bad config: %s", last_error());
  CHECK(opsbook_dispatcher_receive(NULL, events, NULL) == OPSBOOK_RESULT_NULL_ARGUMENT, "NULL dispatcher");
  /* The engine's state survives a restart: the alert fired at 0 is still held. */
  char *snap = NULL;
  CHECK(opsbook_rule_engine_snapshot(engine, &snap) == OPSBOOK_RESULT_OK && strstr(snap, "\"firing\""), "snapshot: %s", snap);
  opsbook_rule_engine *again = NULL;
  CHECK(opsbook_rule_engine_from_json("{\"rules\": [{\"name\": \"Down\", \"metric\": \"up\", \"alert_when\": \"below 1\", \"severity\": \"critical\"}]}", &again) == OPSBOOK_RESULT_OK, "engine again");
  CHECK(opsbook_rule_engine_restore(again, snap) == OPSBOOK_RESULT_OK, "restore: %s", last_error());
  char *later = NULL;
  opsbook_sample fine = {"up", &job, 1, 1.0};
  CHECK(opsbook_rule_engine_evaluate(again, 60, &fine, 1, &later) == OPSBOOK_RESULT_OK && strstr(later, "\"kind\":\"resolved\""), "resolved after restore: %s", later);
  CHECK(opsbook_rule_engine_restore(again, "{\"version\": 9}") == OPSBOOK_RESULT_INVALID_VALUE, "bad snapshot");
  opsbook_string_free(later);
  opsbook_string_free(snap);
  opsbook_rule_engine_free(again);
  opsbook_incidents_free(m);
  opsbook_dispatcher_free(d);
  opsbook_string_free(events);
  opsbook_rule_engine_free(engine);
}

/* ---- state ---- */

static int sends = 0;
static int count_send(void *ctx) {
  (void)ctx;
  sends++;
  return 0;
}
static int failing_send(void *ctx) {
  (void)ctx;
  return 7;
}

static void state_and_delivery(const char *dir) {
  char path[4096];
  snprintf(path, sizeof path, "%s/opsbook-c-state-%d.json", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid());
  (void)dir;
  opsbook_store *stores[3] = {NULL, NULL, NULL};
  CHECK(opsbook_store_memory(&stores[0]) == OPSBOOK_RESULT_OK, "memory");
  CHECK(opsbook_store_file(path, &stores[1]) == OPSBOOK_RESULT_OK, "file");
  const char *url = getenv("OPSBOOK_TEST_REDIS_URL");
  int n = 2;
  if (url) {
    CHECK(opsbook_store_redis(url, "c-test:", &stores[2]) == OPSBOOK_RESULT_OK, "redis: %s", last_error());
    n = 3;
  } else {
    CHECK(!getenv("CI") || strcmp(getenv("CI"), "true"), "OPSBOOK_TEST_REDIS_URL is not set: run scripts/test.sh");
  }
  for (int i = 0; i < n; i++) {
    char id[64];
    snprintf(id, sizeof id, "Down:%d:firing:%d", i, (int)getpid());
    char lease[96];
    snprintf(lease, sizeof lease, "lease:%s", id);
    bool taken = false;
    uint32_t outcome = 99;
    sends = 0;
    CHECK(opsbook_store_acquire(stores[i], lease, "replica-c", 5, &taken) == OPSBOOK_RESULT_OK && taken, "acquire");
    CHECK(opsbook_deliver(stores[i], "replica-a", 5, 60, id, count_send, NULL, &outcome) == OPSBOOK_RESULT_OK && outcome == OPSBOOK_DELIVERY_BUSY, "busy %u", outcome);
    CHECK(opsbook_store_release(stores[i], lease, "replica-c") == OPSBOOK_RESULT_OK, "release");
    CHECK(opsbook_deliver(stores[i], "replica-a", 5, 60, id, failing_send, NULL, &outcome) == OPSBOOK_RESULT_IO && strstr(last_error(), "send returned 7"), "failing send: %s", last_error());
    CHECK(opsbook_deliver(stores[i], "replica-a", 5, 60, id, count_send, NULL, &outcome) == OPSBOOK_RESULT_OK && outcome == OPSBOOK_DELIVERY_SENT, "sent %u", outcome);
    CHECK(opsbook_deliver(stores[i], "replica-b", 5, 60, id, count_send, NULL, &outcome) == OPSBOOK_RESULT_OK && outcome == OPSBOOK_DELIVERY_ALREADY_SENT, "already %u", outcome);
    CHECK(sends == 1, "sent %d times", sends);
    char *value = NULL;
    CHECK(opsbook_store_put(stores[i], "k", "v", -1) == OPSBOOK_RESULT_OK && opsbook_store_get(stores[i], "k", &value) == OPSBOOK_RESULT_OK && value && !strcmp(value, "v"), "put/get");
    opsbook_string_free(value);
    CHECK(opsbook_store_get(stores[i], "absent", &value) == OPSBOOK_RESULT_OK && value == NULL, "absent is NULL");
  }
  uint32_t outcome;
  CHECK(opsbook_deliver(stores[0], "x", 5, 60, "id", NULL, NULL, &outcome) == OPSBOOK_RESULT_NULL_ARGUMENT, "NULL send");
  for (int i = 0; i < 3; i++) opsbook_store_free(stores[i]);
  remove(path);
}

/* ---- tests/vectors/alerting.json: rules → notifications → incidents ---- */

static void epoch_text(long secs, char *buf, size_t size) {
  snprintf(buf, size, "1970-01-01T%02ld:%02ld:%02ldZ", secs / 3600, secs / 60 % 60, secs % 60);
}

static int same_time(const cJSON *got_text, const cJSON *want_secs) {
  char want[64];
  epoch_text((long)want_secs->valuedouble, want, sizeof want);
  return cJSON_IsString(got_text) && !strcmp(got_text->valuestring, want);
}

static int by_text(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Whether a webhook-shaped notification matches the vector's form (alerts as sorted
   "name=value,...:status" strings; opsbook prints label names in order). */
static int same_notification(const cJSON *got, const cJSON *want) {
  if (!same_time(cJSON_GetObjectItem(got, "time"), cJSON_GetObjectItem(want, "time"))) return 0;
  if (strcmp(cJSON_GetObjectItem(got, "receiver")->valuestring, cJSON_GetObjectItem(want, "receiver")->valuestring)) return 0;
  if (strcmp(cJSON_GetObjectItem(got, "status")->valuestring, cJSON_GetObjectItem(want, "status")->valuestring)) return 0;
  if (!cJSON_Compare(cJSON_GetObjectItem(got, "groupLabels"), cJSON_GetObjectItem(want, "group_labels"), 1)) return 0;
  const cJSON *alerts = cJSON_GetObjectItem(got, "alerts"), *wanted = cJSON_GetObjectItem(want, "alerts");
  int n = cJSON_GetArraySize(alerts);
  if (n != cJSON_GetArraySize(wanted)) return 0;
  char **texts = calloc((size_t)n + 1, sizeof *texts);
  int k = 0, ok = 1;
  const cJSON *a, *l;
  cJSON_ArrayForEach(a, alerts) {
    char buf[1024] = "";
    cJSON_ArrayForEach(l, cJSON_GetObjectItem(a, "labels")) {
      size_t used = strlen(buf);
      snprintf(buf + used, sizeof buf - used, "%s%s=%s", used ? "," : "", l->string, l->valuestring);
    }
    size_t used = strlen(buf);
    snprintf(buf + used, sizeof buf - used, ":%s", cJSON_GetObjectItem(a, "status")->valuestring);
    texts[k] = malloc(strlen(buf) + 1);
    memcpy(texts[k++], buf, strlen(buf) + 1);
  }
  qsort(texts, (size_t)n, sizeof *texts, by_text);
  for (k = 0; k < n; k++) {
    ok = ok && !strcmp(texts[k], cJSON_GetArrayItem(wanted, k)->valuestring);
    free(texts[k]);
  }
  free(texts);
  return ok;
}

/* Whether got (times RFC 3339) matches want (times in seconds) key by key. */
static int same_timed(const cJSON *got, const cJSON *want) {
  const cJSON *w;
  cJSON_ArrayForEach(w, want) {
    const cJSON *g = cJSON_GetObjectItem(got, w->string);
    if (!strcmp(w->string, "time")) {
      if (!same_time(g, w)) return 0;
    } else if (!strcmp(w->string, "timeline")) {
      int n = cJSON_GetArraySize(w);
      if (n != cJSON_GetArraySize(g)) return 0;
      for (int k = 0; k < n; k++)
        if (!same_timed(cJSON_GetArrayItem(g, k), cJSON_GetArrayItem(w, k))) return 0;
    } else if (!cJSON_Compare(g, w, 1)) {
      return 0;
    }
  }
  return 1;
}

static opsbook_result alerting_step(opsbook_alert_pipeline *p, const cJSON *s, char **out) {
  double t = num(cJSON_GetObjectItem(s, "time"));
  const cJSON *x;
  *out = NULL;
  if ((x = cJSON_GetObjectItem(s, "samples"))) {
    size_t count = (size_t)cJSON_GetArraySize(x), i = 0;
    opsbook_sample *ss = calloc(count ? count : 1, sizeof *ss);
    opsbook_label **keep = calloc(count ? count : 1, sizeof *keep);
    const cJSON *sj;
    cJSON_ArrayForEach(sj, x) {
      ss[i].metric = cJSON_GetObjectItem(sj, "metric")->valuestring;
      keep[i] = label_array(cJSON_GetObjectItem(sj, "labels"), &ss[i].labels_len);
      ss[i].labels = keep[i];
      ss[i].value = num(cJSON_GetObjectItem(sj, "value"));
      i++;
    }
    opsbook_result rc = opsbook_alert_pipeline_evaluate(p, t, ss, count, out);
    for (i = 0; i < count; i++) free(keep[i]);
    free(keep);
    free(ss);
    return rc;
  }
  if (cJSON_GetObjectItem(s, "advance")) return opsbook_alert_pipeline_advance(p, t, out);
  if ((x = cJSON_GetObjectItem(s, "acknowledge")))
    return opsbook_alert_pipeline_acknowledge(p, text_of(x, "incident"), text_of(x, "by"), t);
  if ((x = cJSON_GetObjectItem(s, "resolve")))
    return opsbook_alert_pipeline_resolve(p, text_of(x, "incident"), text_of(x, "by"), text_of(x, "note"), t);
  if ((x = cJSON_GetObjectItem(s, "record")))
    return opsbook_alert_pipeline_record(p, text_of(x, "incident"), text_of(x, "what"), t);
  fprintf(stderr, "unknown step\n");
  exit(2);
}

/* Runs a case's steps; with restart, a fresh pipeline loads the store before each step. */
static void alerting_case(const cJSON *c, const char *policy, int restart) {
  const char *id = cJSON_GetObjectItem(c, "id")->valuestring;
  opsbook_store *store = NULL;
  opsbook_alert_pipeline *p = NULL;
  CHECK(opsbook_store_memory(&store) == OPSBOOK_RESULT_OK, "store");
  CHECK(opsbook_alert_pipeline_from_json(policy, &p) == OPSBOOK_RESULT_OK, "%s: %s", id, last_error());
  cJSON *notes = cJSON_CreateArray(), *escalations = cJSON_CreateArray(), *opened = cJSON_CreateArray();
  const cJSON *s;
  cJSON_ArrayForEach(s, cJSON_GetObjectItem(c, "steps")) {
    if (restart) {
      opsbook_alert_pipeline_free(p);
      p = NULL;
      opsbook_alert_pipeline_from_json(policy, &p);
      CHECK(opsbook_alert_pipeline_load(p, store, "vec:") == OPSBOOK_RESULT_OK, "%s: load %s", id, last_error());
    }
    char *out = NULL;
    opsbook_result rc = alerting_step(p, s, &out);
    const cJSON *err = cJSON_GetObjectItem(s, "error");
    if (err) {
      CHECK(same_code(rc, text_of(err, "code")) && strstr(last_error(), text_of(err, "field")), "%s: step error %s", id, last_error());
    } else {
      CHECK(rc == OPSBOOK_RESULT_OK, "%s: %s", id, last_error());
    }
    if (out) {
      cJSON *doc = cJSON_Parse(out), *x;
      cJSON_ArrayForEach(x, cJSON_GetObjectItem(doc, "notifications")) cJSON_AddItemToArray(notes, cJSON_Duplicate(x, 1));
      cJSON_ArrayForEach(x, cJSON_GetObjectItem(doc, "escalations")) cJSON_AddItemToArray(escalations, cJSON_Duplicate(x, 1));
      cJSON_ArrayForEach(x, cJSON_GetObjectItem(doc, "opened")) cJSON_AddItemToArray(opened, cJSON_Duplicate(x, 1));
      cJSON_Delete(doc);
      opsbook_string_free(out);
    }
    if (restart) CHECK(opsbook_alert_pipeline_save(p, store, "vec:") == OPSBOOK_RESULT_OK, "%s: save", id);
  }
  const cJSON *want = cJSON_GetObjectItem(c, "expect");
  const cJSON *w = cJSON_GetObjectItem(want, "notifications");
  int n = cJSON_GetArraySize(w), ok = n == cJSON_GetArraySize(notes);
  for (int k = 0; ok && k < n; k++) ok = same_notification(cJSON_GetArrayItem(notes, k), cJSON_GetArrayItem(w, k));
  CHECK(ok, "%s (restart %d): notifications differ", id, restart);
  w = cJSON_GetObjectItem(want, "escalations");
  n = cJSON_GetArraySize(w), ok = n == cJSON_GetArraySize(escalations);
  for (int k = 0; ok && k < n; k++) ok = same_timed(cJSON_GetArrayItem(escalations, k), cJSON_GetArrayItem(w, k));
  CHECK(ok, "%s (restart %d): escalations differ", id, restart);
  w = cJSON_GetObjectItem(want, "opened");
  n = cJSON_GetArraySize(w), ok = n == cJSON_GetArraySize(opened);
  for (int k = 0; ok && k < n; k++) ok = same_timed(cJSON_GetArrayItem(opened, k), cJSON_GetArrayItem(w, k));
  CHECK(ok, "%s (restart %d): opened differ", id, restart);
  char *all = NULL;
  CHECK(opsbook_alert_pipeline_incidents_json(p, &all) == OPSBOOK_RESULT_OK, "%s: incidents", id);
  cJSON *doc = cJSON_Parse(all);
  const cJSON *got = cJSON_GetObjectItem(doc, "incidents");
  w = cJSON_GetObjectItem(want, "incidents");
  n = cJSON_GetArraySize(w), ok = n == cJSON_GetArraySize(got);
  for (int k = 0; ok && k < n; k++) ok = same_timed(cJSON_GetArrayItem(got, k), cJSON_GetArrayItem(w, k));
  CHECK(ok, "%s (restart %d): incidents differ: %s", id, restart, all);
  cJSON_Delete(doc);
  opsbook_string_free(all);
  cJSON_Delete(notes);
  cJSON_Delete(escalations);
  cJSON_Delete(opened);
  opsbook_alert_pipeline_free(p);
  opsbook_store_free(store);
}

static void replay_alerting(const char *dir) {
  cJSON *doc = load(dir, "alerting.json");
  int replayed = 0;
  const cJSON *c;
  cJSON_ArrayForEach(c, cJSON_GetObjectItem(doc, "cases")) {
    const char *id = cJSON_GetObjectItem(c, "id")->valuestring;
    char *policy = cJSON_PrintUnformatted(cJSON_GetObjectItem(c, "policy"));
    const cJSON *err = cJSON_GetObjectItem(c, "error");
    if (err) {
      opsbook_alert_pipeline *p = NULL;
      opsbook_result rc = opsbook_alert_pipeline_from_json(policy, &p);
      CHECK(same_code(rc, text_of(err, "code")) && p == NULL, "%s: code %s", id, opsbook_result_name((uint32_t)rc));
      CHECK(strstr(last_error(), text_of(err, "field")) != NULL, "%s: %s", id, last_error());
    } else {
      alerting_case(c, policy, 0);
      alerting_case(c, policy, 1);
    }
    free(policy);
    replayed++;
  }
  CHECK(replayed == 15, "alerting replayed %d", replayed);
  opsbook_alert_pipeline *p = NULL;
  CHECK(opsbook_alert_pipeline_from_json(NULL, &p) == OPSBOOK_RESULT_NULL_ARGUMENT, "NULL policy");
  CHECK(opsbook_alert_pipeline_advance(NULL, 0, NULL) == OPSBOOK_RESULT_NULL_ARGUMENT, "NULL pipeline");
  CHECK(opsbook_alert_pipeline_from_toml("version = 1\n", &p) == OPSBOOK_RESULT_OK, "toml");
  CHECK(opsbook_alert_pipeline_acknowledge(p, "INC-0001", "a", 0) == OPSBOOK_RESULT_INVALID_VALUE &&
            strstr(last_error(), "escalation.levels"), "no levels: %s", last_error());
  char *out = NULL;
  CHECK(opsbook_alert_pipeline_evaluate(p, 0, NULL, 3, &out) == OPSBOOK_RESULT_NULL_ARGUMENT, "NULL samples with a length");
  opsbook_alert_pipeline_free(p);
  opsbook_alert_pipeline_free(NULL);
  opsbook_store *store = NULL;
  CHECK(opsbook_store_from_config("{\"backend\": \"redis\"}", &store) == OPSBOOK_RESULT_INVALID_VALUE &&
            strstr(last_error(), "state.url_env"), "redis without url_env: %s", last_error());
  CHECK(opsbook_store_from_config("{\"backend\": \"memory\"}", &store) == OPSBOOK_RESULT_OK, "memory store");
  opsbook_store_free(store);
  cJSON_Delete(doc);
}

/* ---- tests/vectors/manifests.json and retention.json: backups ---- */

static void replay_manifests(const char *dir) {
  cJSON *doc = load(dir, "manifests.json");
  int replayed = 0;
  const cJSON *c;
  cJSON_ArrayForEach(c, cJSON_GetObjectItem(doc, "cases")) {
    const char *id = text_of(c, "id");
    const char *text = text_of(c, "manifest");
    opsbook_manifest *m = NULL;
    opsbook_result rc = opsbook_manifest_parse((const uint8_t *)text, strlen(text), &m);
    const cJSON *err = cJSON_GetObjectItem(c, "error");
    if (err) {
      CHECK(rc == OPSBOOK_RESULT_INVALID_VALUE && m == NULL, "%s: %s", id, opsbook_result_name((uint32_t)rc));
      CHECK(strstr(last_error(), err->valuestring) != NULL, "%s: %s", id, last_error());
    } else {
      CHECK(rc == OPSBOOK_RESULT_OK, "%s: %s", id, last_error());
      char *files = NULL, *back = NULL;
      CHECK(opsbook_manifest_json(m, &files) == OPSBOOK_RESULT_OK, "%s json", id);
      cJSON *got = cJSON_Parse(files);
      const cJSON *want = cJSON_GetObjectItem(c, "files");
      int n = cJSON_GetArraySize(want), ok = n == cJSON_GetArraySize(cJSON_GetObjectItem(got, "files"));
      for (int k = 0; ok && k < n; k++) {
        const cJSON *g = cJSON_GetArrayItem(cJSON_GetObjectItem(got, "files"), k), *w = cJSON_GetArrayItem(want, k);
        ok = !strcmp(text_of(g, "path"), text_of(w, "path")) && num(cJSON_GetObjectItem(g, "size")) == num(cJSON_GetObjectItem(w, "size")) &&
             !strcmp(text_of(g, "algorithm"), text_of(w, "algorithm")) && !strcmp(text_of(g, "checksum"), text_of(w, "checksum"));
      }
      CHECK(ok, "%s: files differ: %s", id, files);
      CHECK(opsbook_manifest_text(m, &back) == OPSBOOK_RESULT_OK && !strcmp(back, text), "%s: written back differently", id);
      cJSON_Delete(got);
      opsbook_string_free(files);
      opsbook_string_free(back);
    }
    opsbook_manifest_free(m);
    replayed++;
  }
  CHECK(replayed == 44, "manifests replayed %d", replayed);
  opsbook_manifest *m = NULL;
  CHECK(opsbook_manifest_parse(NULL, 5, &m) == OPSBOOK_RESULT_NULL_ARGUMENT, "NULL data");
  CHECK(opsbook_manifest_text(NULL, NULL) == OPSBOOK_RESULT_NULL_ARGUMENT, "NULL manifest");
  CHECK(opsbook_manifest_build("/nonexistent/opsbook", NULL, &m) == OPSBOOK_RESULT_IO && m == NULL, "missing dir: %s", last_error());
  CHECK(opsbook_manifest_build("/tmp", "{\"algorithm\": \"MD5\"}", &m) == OPSBOOK_RESULT_INVALID_VALUE &&
            strstr(last_error(), "options_json.algorithm"), "bad algorithm: %s", last_error());
  opsbook_manifest_free(NULL);
  cJSON_Delete(doc);
}

static double epoch_of(const char *rfc3339) {
  int y, mo, d, h, mi;
  double s;
  sscanf(rfc3339, "%d-%d-%dT%d:%d:%lfZ", &y, &mo, &d, &h, &mi, &s);
  /* days from civil (Howard Hinnant's algorithm) */
  y -= mo <= 2;
  long era = (y >= 0 ? y : y - 399) / 400;
  long yoe = y - era * 400;
  long doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  long days = era * 146097 + doe - 719468;
  return days * 86400.0 + h * 3600 + mi * 60 + s;
}

static void replay_retention(const char *dir) {
  cJSON *doc = load(dir, "retention.json");
  int replayed = 0;
  const cJSON *c;
  cJSON_ArrayForEach(c, cJSON_GetObjectItem(doc, "cases")) {
    const char *id = text_of(c, "id");
    const cJSON *list = cJSON_GetObjectItem(c, "backups");
    if (cJSON_IsString(list)) list = cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "snapshot_sets"), list->valuestring);
    char *backups = cJSON_PrintUnformatted(list);
    double now = epoch_of(text_of(c, "now"));
    char *out = NULL;
    opsbook_result rc;
    const cJSON *rule = cJSON_GetObjectItem(c, "rule");
    if (rule && !strcmp(rule->valuestring, "find_mtime")) {
      rc = opsbook_backup_find_mtime(backups, (uint32_t)num(cJSON_GetObjectItem(cJSON_GetObjectItem(c, "policy"), "days")), now, &out);
    } else {
      char *policy = cJSON_PrintUnformatted(cJSON_GetObjectItem(c, "policy"));
      char by[64] = "";
      const cJSON *g;
      cJSON_ArrayForEach(g, cJSON_GetObjectItem(c, "group_by")) {
        if (by[0]) strcat(by, ",");
        strcat(by, g->valuestring);
      }
      rc = opsbook_backup_retention(backups, policy, by, now, &out);
      free(policy);
    }
    CHECK(rc == OPSBOOK_RESULT_OK, "%s: %s", id, last_error());
    cJSON *got = cJSON_Parse(out);
    cJSON *groups = cJSON_GetObjectItem(got, "groups");
    cJSON *simplified = cJSON_CreateArray();
    if (!groups) {
      /* find_mtime answers one group without a key */
      cJSON *one = cJSON_CreateArray();
      cJSON_AddItemToArray(one, cJSON_Duplicate(got, 1));
      cJSON_AddItemToObject(cJSON_GetArrayItem(one, 0), "key", cJSON_CreateObject());
      groups = one;
      cJSON_AddItemToObject(got, "groups_", groups);
    }
    const cJSON *gr;
    cJSON_ArrayForEach(gr, groups) {
      cJSON *s2 = cJSON_CreateObject();
      cJSON_AddItemToObject(s2, "key", cJSON_Duplicate(cJSON_GetObjectItem(gr, "key"), 1));
      cJSON *keep = cJSON_AddArrayToObject(s2, "keep");
      const cJSON *k;
      cJSON_ArrayForEach(k, cJSON_GetObjectItem(gr, "keep")) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddItemToObject(e, "id", cJSON_Duplicate(cJSON_GetObjectItem(k, "id"), 1));
        cJSON_AddItemToObject(e, "matches", cJSON_Duplicate(cJSON_GetObjectItem(k, "matches"), 1));
        cJSON_AddItemToObject(e, "counters", cJSON_Duplicate(cJSON_GetObjectItem(k, "counters"), 1));
        cJSON_AddItemToArray(keep, e);
      }
      cJSON *forget = cJSON_AddArrayToObject(s2, "forget");
      cJSON_ArrayForEach(k, cJSON_GetObjectItem(gr, "forget")) cJSON_AddItemToArray(forget, cJSON_Duplicate(cJSON_GetObjectItem(k, "id"), 1));
      cJSON_AddItemToArray(simplified, s2);
    }
    CHECK(cJSON_Compare(simplified, cJSON_GetObjectItem(c, "groups"), 1), "%s: groups differ: %s", id, out);
    cJSON_Delete(simplified);
    cJSON_Delete(got);
    opsbook_string_free(out);
    free(backups);
    replayed++;
  }
  CHECK(replayed == 15, "retention replayed %d", replayed);
  char *out = NULL;
  CHECK(opsbook_backup_retention(NULL, "{}", NULL, NAN, &out) == OPSBOOK_RESULT_NULL_ARGUMENT, "NULL backups");
  CHECK(opsbook_backup_retention("[]", "{\"keep_daly\": 7}", NULL, NAN, &out) == OPSBOOK_RESULT_INVALID_VALUE &&
            strstr(last_error(), "retention.keep_daly"), "bad key: %s", last_error());
  cJSON_Delete(doc);
}

static void verify_a_tree(void) {
  char dir[] = "/tmp/opsbook-c-backup-XXXXXX";
  CHECK(mkdtemp(dir) != NULL, "mkdtemp");
  char path[256];
  snprintf(path, sizeof path, "%s/dump.sql.gz", dir);
  FILE *f = fopen(path, "wb");
  fputs("dump", f);
  fclose(f);
  opsbook_manifest *m = NULL;
  CHECK(opsbook_manifest_build(dir, "{\"algorithm\": \"SHA256\"}", &m) == OPSBOOK_RESULT_OK, "build: %s", last_error());
  char *text = NULL;
  CHECK(opsbook_manifest_text(m, &text) == OPSBOOK_RESULT_OK, "text");
  snprintf(path, sizeof path, "%s/backup_manifest", dir);
  f = fopen(path, "wb");
  fputs(text, f);
  fclose(f);
  char *out = NULL;
  bool ok = false;
  CHECK(opsbook_backup_verify(dir, NULL, &out, &ok) == OPSBOOK_RESULT_OK && ok, "verify: %s", out);
  opsbook_string_free(out);
  snprintf(path, sizeof path, "%s/dump.sql.gz", dir);
  f = fopen(path, "wb");
  fputs("DUMP", f);
  fclose(f);
  CHECK(opsbook_backup_verify(dir, "{\"skip_checksums\": false}", &out, &ok) == OPSBOOK_RESULT_OK && !ok &&
            strstr(out, "\"kind\":\"checksum_mismatch\"") && strstr(out, "\"path\":\"dump.sql.gz\""), "changed: %s", out);
  opsbook_string_free(out);
  CHECK(opsbook_backup_verify(dir, "{\"skip\": true}", &out, &ok) == OPSBOOK_RESULT_INVALID_VALUE && strstr(last_error(), "options_json.skip"),
        "unknown option: %s", last_error());
  opsbook_string_free(text);
  opsbook_manifest_free(m);
  remove(path);
  snprintf(path, sizeof path, "%s/backup_manifest", dir);
  remove(path);
  rmdir(dir);
}

/* ---- tests/vectors/templates.json and alert_messages.json: alert messages ---- */

static bool contains_all(const char *text, const cJSON *parts) {
  const cJSON *p;
  cJSON_ArrayForEach(p, parts) {
    if (!strstr(text, p->valuestring)) return false;
  }
  return true;
}

static void replay_templates(const char *dir) {
  cJSON *doc = load(dir, "templates.json");
  int replayed = 0;
  const cJSON *c;
  cJSON_ArrayForEach(c, cJSON_GetObjectItem(doc, "cases")) {
    const char *name = text_of(c, "name");
    const char *kind = "data";
    const cJSON *data = cJSON_GetObjectItem(c, "data");
    if (cJSON_GetObjectItem(c, "alert")) kind = "alert", data = cJSON_GetObjectItem(c, "alert");
    if (cJSON_GetObjectItem(c, "group")) kind = "group", data = cJSON_GetObjectItem(c, "group");
    char *data_json = data ? cJSON_PrintUnformatted(data) : NULL;
    const cJSON *markup = cJSON_GetObjectItem(c, "markup");
    char *out = NULL;
    opsbook_result rc = opsbook_render_template(text_of(c, "template"), kind, data_json,
                                                markup ? markup->valuestring : NULL, NULL, &out);
    const cJSON *want = cJSON_GetObjectItem(c, "want");
    if (want) {
      CHECK(rc == OPSBOOK_RESULT_OK && !strcmp(out, want->valuestring), "%s: got %s (%s)", name, out ? out : "NULL", last_error());
    } else {
      CHECK(rc == OPSBOOK_RESULT_INVALID_VALUE && contains_all(last_error(), cJSON_GetObjectItem(c, "error")), "%s: %s", name,
            last_error());
    }
    opsbook_string_free(out);
    free(data_json);
    replayed++;
  }
  CHECK(replayed == 88, "templates replayed %d", replayed);
  char *out = NULL;
  CHECK(opsbook_render_template("x", "nonsense", NULL, NULL, NULL, &out) == OPSBOOK_RESULT_INVALID_VALUE &&
            strstr(last_error(), "kind"), "bad kind: %s", last_error());
  CHECK(opsbook_render_template(NULL, "data", NULL, NULL, NULL, &out) == OPSBOOK_RESULT_NULL_ARGUMENT, "NULL template");
  cJSON_Delete(doc);
}

static void replay_alert_messages(const char *dir) {
  cJSON *doc = load(dir, "alert_messages.json");
  int replayed = 0, bodies_compared = 0;
  const cJSON *c;
  cJSON_ArrayForEach(c, cJSON_GetObjectItem(doc, "cases")) {
    const char *name = text_of(c, "name");
    char *spec = cJSON_PrintUnformatted(cJSON_GetObjectItem(c, "channel"));
    char *alerts = cJSON_PrintUnformatted(cJSON_GetObjectItem(c, "alerts"));
    char *secrets = cJSON_PrintUnformatted(cJSON_GetObjectItem(c, "secrets"));
    double now = num(cJSON_GetObjectItem(c, "now_ms")) / 1000.0;
    opsbook_channel *ch = NULL;
    char *out = NULL;
    opsbook_result rc = opsbook_channel_new(spec, &ch);
    if (rc == OPSBOOK_RESULT_OK) rc = opsbook_channel_render(ch, alerts, now, secrets, &out);
    const cJSON *want = cJSON_GetObjectItem(c, "want");
    const cJSON *list = cJSON_GetObjectItem(c, "alerts");
    if (want && rc == OPSBOOK_RESULT_OK && cJSON_IsArray(list) && cJSON_GetArraySize(list) == 1 &&
        strcmp(text_of(cJSON_GetObjectItem(c, "channel"), "type"), "email")) {
      /* One alert: rendered each on its own, the same bodies. */
      char *bodies = NULL;
      CHECK(opsbook_channel_render_bodies(ch, alerts, now, secrets, &bodies) == OPSBOOK_RESULT_OK, "%s: bodies: %s", name, last_error());
      cJSON *got_bodies = cJSON_Parse(bodies);
      int i = 0;
      const cJSON *b;
      cJSON_ArrayForEach(b, got_bodies) {
        const cJSON *w = cJSON_GetObjectItem(cJSON_GetArrayItem(want, i++), "body");
        cJSON *parsed = cJSON_Parse(b->valuestring);
        CHECK(parsed ? cJSON_Compare(parsed, w, 1) : (cJSON_IsString(w) && !strcmp(b->valuestring, w->valuestring)), "%s: body %d", name, i);
        cJSON_Delete(parsed);
      }
      CHECK(i == cJSON_GetArraySize(want), "%s: %d bodies", name, i);
      cJSON_Delete(got_bodies);
      opsbook_string_free(bodies);
      bodies_compared++;
    }
    if (want) {
      cJSON *got = out ? cJSON_Parse(out) : NULL;
      const cJSON *r;
      cJSON_ArrayForEach(r, got) cJSON_DeleteItemFromObject((cJSON *)r, "mime");
      CHECK(rc == OPSBOOK_RESULT_OK && cJSON_Compare(got, want, 1), "%s: got %s (%s)", name, out ? out : "NULL", last_error());
      cJSON_Delete(got);
    } else {
      CHECK(rc != OPSBOOK_RESULT_OK && contains_all(last_error(), cJSON_GetObjectItem(c, "error")), "%s: %s", name, last_error());
      const cJSON *s;
      cJSON_ArrayForEach(s, cJSON_GetObjectItem(c, "secrets")) CHECK(!strstr(last_error(), s->valuestring), "%s: secret shown", name);
    }
    opsbook_string_free(out);
    opsbook_channel_free(ch);
    free(spec);
    free(alerts);
    free(secrets);
    replayed++;
  }
  CHECK(replayed == 29, "alert messages replayed %d", replayed);
  CHECK(bodies_compared == 7, "bodies compared %d", bodies_compared);
  opsbook_channel *ch = NULL;
  CHECK(opsbook_channel_new(NULL, &ch) == OPSBOOK_RESULT_NULL_ARGUMENT, "NULL spec");
  CHECK(opsbook_channel_new("{\"name\": \"x\", \"type\": \"text\"}", NULL) == OPSBOOK_RESULT_NULL_ARGUMENT, "NULL out");
  char *out = NULL;
  CHECK(opsbook_channel_render(NULL, "[]", NAN, NULL, &out) == OPSBOOK_RESULT_NULL_ARGUMENT, "NULL channel");
  CHECK(opsbook_channel_new("{\"name\": \"x\", \"type\": \"text\"}", &ch) == OPSBOOK_RESULT_OK, "text channel");
  CHECK(opsbook_channel_render(ch, "{not json", NAN, NULL, &out) == OPSBOOK_RESULT_INVALID_VALUE && strstr(last_error(), "alerts_json"),
        "bad JSON: %s", last_error());
  CHECK(opsbook_channel_send(ch, "[]", NAN, NULL, &out) == OPSBOOK_RESULT_INVALID_VALUE && strstr(last_error(), "only render"),
        "text cannot be sent: %s", last_error());
  opsbook_channel_free(ch);
  opsbook_channel_free(NULL);
  cJSON_Delete(doc);
}

/* ---- tests/vectors/logs.json: log analysis ---- */

static void replay_logs(const char *dir) {
  cJSON *doc = load(dir, "logs.json");
  int replayed = 0;
  const cJSON *c;
  cJSON_ArrayForEach(c, cJSON_GetObjectItem(doc, "cases")) {
    const char *name = text_of(c, "name");
    char *lines = cJSON_PrintUnformatted(cJSON_GetObjectItem(c, "lines"));
    char *options = cJSON_PrintUnformatted(cJSON_GetObjectItem(c, "options"));
    char *out = NULL;
    opsbook_result rc = opsbook_logs_analyze_lines(lines, text_of(c, "format"), options, &out);
    const cJSON *want = cJSON_GetObjectItem(c, "want");
    if (want) {
      cJSON *got = out ? cJSON_Parse(out) : NULL;
      CHECK(rc == OPSBOOK_RESULT_OK && cJSON_Compare(got, want, 1), "%s: got %s (%s)", name, out ? out : "NULL", last_error());
      cJSON_Delete(got);
    } else {
      CHECK(rc == OPSBOOK_RESULT_INVALID_VALUE && contains_all(last_error(), cJSON_GetObjectItem(c, "error")), "%s: %s", name, last_error());
    }
    opsbook_string_free(out);
    free(lines);
    free(options);
    replayed++;
  }
  CHECK(replayed == 8, "logs replayed %d", replayed);
  char *out = NULL;
  CHECK(opsbook_logs_analyze_files("[\"/nonexistent/opsbook.log\"]", "nginx", NULL, &out) == OPSBOOK_RESULT_IO &&
            strstr(last_error(), "/nonexistent/opsbook.log"), "missing file: %s", last_error());
  CHECK(opsbook_logs_analyze_lines("[1, 2]", "nginx", NULL, &out) == OPSBOOK_RESULT_INVALID_VALUE, "not strings");
  CHECK(opsbook_logs_analyze_lines(NULL, "nginx", NULL, &out) == OPSBOOK_RESULT_NULL_ARGUMENT, "NULL lines");
  cJSON_Delete(doc);
}

/* ---- tests/vectors/daily_reports.json: reports from parts; maintenance; log plans ---- */

static void replay_daily_reports(const char *dir) {
  cJSON *doc = load(dir, "daily_reports.json");
  int replayed = 0;
  const cJSON *c;
  cJSON_ArrayForEach(c, cJSON_GetObjectItem(doc, "cases")) {
    const char *id = text_of(c, "id");
    char *parts = cJSON_PrintUnformatted(cJSON_GetObjectItem(c, "parts"));
    const cJSON *error = cJSON_GetObjectItem(c, "error");
    if (error) {
      char *out = NULL;
      uint32_t status = 99;
      opsbook_result rc = opsbook_report_render(parts, "text", &out, &status);
      CHECK(rc == OPSBOOK_RESULT_INVALID_VALUE && out == NULL && contains_all(last_error(), error), "%s: %s", id, last_error());
    } else {
      const char *want_status = text_of(c, "status");
      uint32_t want = strcmp(want_status, "OK") == 0 ? OPSBOOK_STATUS_OK
                      : strcmp(want_status, "WARNING") == 0 ? OPSBOOK_STATUS_WARNING
                                                              : OPSBOOK_STATUS_CRITICAL;
      const char *formats[] = {"text", "markdown"};
      for (int i = 0; i < 2; i++) {
        char *out = NULL;
        uint32_t status = 99;
        opsbook_result rc = opsbook_report_render(parts, formats[i], &out, &status);
        CHECK(rc == OPSBOOK_RESULT_OK && out && strcmp(out, text_of(c, formats[i])) == 0 && status == want,
              "%s %s: got %s (%s)", id, formats[i], out ? out : "NULL", last_error());
        opsbook_string_free(out);
      }
      char *out = NULL;
      uint32_t status = 99;
      opsbook_result rc = opsbook_report_render(parts, "json", &out, &status);
      cJSON *got = out ? cJSON_Parse(out) : NULL;
      CHECK(rc == OPSBOOK_RESULT_OK && cJSON_Compare(got, cJSON_GetObjectItem(c, "json"), 1), "%s json: %s", id, out ? out : "NULL");
      cJSON_Delete(got);
      opsbook_string_free(out);
    }
    free(parts);
    replayed++;
  }
  CHECK(replayed == 25, "daily reports replayed %d", replayed);
  cJSON_Delete(doc);

  char *out = NULL;
  uint32_t status = 0;
  CHECK(opsbook_report_render(NULL, "text", &out, &status) == OPSBOOK_RESULT_NULL_ARGUMENT, "NULL parts");
  CHECK(opsbook_report_render("{\"time\": 0}", "pdf", &out, &status) == OPSBOOK_RESULT_INVALID_VALUE &&
            strstr(last_error(), "pdf"), "bad format: %s", last_error());
  CHECK(opsbook_report_render("{\"time\": 0}", "text", &out, NULL) == OPSBOOK_RESULT_NULL_ARGUMENT, "NULL status");
  CHECK(opsbook_report_render("{\"time\": 0", "text", &out, &status) == OPSBOOK_RESULT_INVALID_VALUE, "not JSON");
  CHECK(opsbook_report_from_policy("/nonexistent/policy.toml", "daily", NAN, NULL, "text", &out, &status) == OPSBOOK_RESULT_IO &&
            strstr(last_error(), "/nonexistent/policy.toml"), "missing policy: %s", last_error());
  CHECK(opsbook_report_from_policy("/nonexistent/policy.toml", "hourly", NAN, NULL, "text", &out, &status) ==
            OPSBOOK_RESULT_INVALID_VALUE, "bad kind");

  /* A policy with one check on a port nothing listens on and a checklist tied to it. */
  char policy[] = "/tmp/opsbook-c-report-XXXXXX";
  int fd = mkstemp(policy);
  const char *text = "version = 1\n[[checks]]\nname = \"worker\"\ntype = \"tcp\"\nhost = \"127.0.0.1\"\nport = 1\n"
                     "[maintenance]\ntitle = \"edu\"\nlanguage = \"en\"\n[[maintenance.checklists]]\nname = \"Daily\"\n"
                     "items = [{ text = \"Worker up\", check = \"worker\" }]\n";
  CHECK(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text), "policy written");
  close(fd);
  CHECK(opsbook_report_from_policy(policy, "daily", 1720137600.0, NULL, "text", &out, &status) == OPSBOOK_RESULT_OK &&
            status == OPSBOOK_STATUS_CRITICAL &&
            strncmp(out, "=== edu daily check 2024-07-05 00:00:00 UTC ===\n1. Checks\n  \xe2\x9c\x97 worker: ", 64) == 0 &&
            strstr(out, "2. Daily\n  \xe2\x9c\x97 Worker up (worker: CRITICAL)\n"),
        "report from a policy: %s (%s)", out ? out : "NULL", last_error());
  opsbook_string_free(out);
  out = NULL;
  unlink(policy);

  /* A health report as the samples rules evaluate: the status of each check by name. */
  opsbook_runner *runner = NULL;
  opsbook_report *health = NULL;
  CHECK(opsbook_runner_from_toml("version = 1\n[[checks]]\nname = \"ok\"\ntype = \"command\"\nargv = [\"true\"]\n", &runner) ==
                OPSBOOK_RESULT_OK &&
            opsbook_runner_run(runner, NULL, &health) == OPSBOOK_RESULT_OK &&
            opsbook_report_samples(health, &out) == OPSBOOK_RESULT_OK &&
            strstr(out, "{\"metric\":\"opsbook_check_status\",\"labels\":{\"check\":\"ok\"},\"value\":0}"),
        "samples: %s (%s)", out ? out : "NULL", last_error());
  opsbook_string_free(out);
  out = NULL;
  CHECK(opsbook_report_samples(NULL, &out) == OPSBOOK_RESULT_NULL_ARGUMENT, "NULL report");
  opsbook_report_free(health);
  opsbook_runner_free(runner);

  /* Maintenance: a daily task done 4 July 10:00 CST is not due at 09:00 on the 5th, due at 10:30. */
  const char *plan = "{\"tz\": \"Asia/Shanghai\", \"tasks\": [{\"name\": \"backup\", \"every\": \"daily\"}]}";
  const char *records = "[{\"time\": \"2024-07-04T10:00:00+08:00\", \"operator\": \"a\", \"kind\": \"routine\", \"task\": \"backup\"}]";
  CHECK(opsbook_maintenance_due(plan, records, 1720141200.0, &out) == OPSBOOK_RESULT_OK && strstr(out, "\"not due\""),
        "not due: %s", out ? out : last_error());
  opsbook_string_free(out);
  out = NULL;
  CHECK(opsbook_maintenance_due(plan, records, 1720146600.0, &out) == OPSBOOK_RESULT_OK && strstr(out, "\"status\":\"due\""),
        "due: %s", out ? out : last_error());
  opsbook_string_free(out);
  out = NULL;
  CHECK(opsbook_maintenance_due(plan, "[{\"time\": \"x\", \"operator\": \"a\", \"kind\": \"routine\"}]", NAN, &out) ==
            OPSBOOK_RESULT_INVALID_VALUE && strstr(last_error(), "records[0].time"), "bad record: %s", last_error());
  CHECK(opsbook_maintenance_due(NULL, NULL, NAN, &out) == OPSBOOK_RESULT_NULL_ARGUMENT, "NULL plan");
  char records_path[] = "/tmp/opsbook-c-records-XXXXXX";
  close(mkstemp(records_path));
  CHECK(opsbook_maintenance_record(records_path, "{\"time\": \"2024-07-04T10:00:00Z\", \"operator\": \"a\", \"kind\": \"incident\"}") ==
            OPSBOOK_RESULT_OK, "record kept: %s", last_error());
  CHECK(opsbook_maintenance_record(records_path, "{\"time\": \"2024-07-04T10:00:00Z\", \"operator\": \"a\", \"kind\": \"nap\"}") ==
            OPSBOOK_RESULT_INVALID_VALUE && strstr(last_error(), "record.kind"), "bad kind: %s", last_error());
  FILE *kept = fopen(records_path, "r");
  char line[512] = {0};
  CHECK(kept && fgets(line, sizeof line, kept) && strstr(line, "\"kind\":\"\xe6\x95\x85\xe9\x9a\x9c\xe5\xa4\x84\xe7\x90\x86\"") &&
            !fgets(line, sizeof line, kept), "one record, 故障处理: %s", line);
  if (kept) fclose(kept);
  unlink(records_path);

  /* Log plan: old.log (10 days) compressed, new.log (1 day) left. */
  char logs[] = "/tmp/opsbook-c-logs-XXXXXX";
  CHECK(mkdtemp(logs) != NULL, "log dir");
  char old_log[256], new_log[256];
  snprintf(old_log, sizeof old_log, "%s/old.log", logs);
  snprintf(new_log, sizeof new_log, "%s/new.log", logs);
  const char *names[] = {old_log, new_log};
  const int days[] = {10, 1};
  for (int i = 0; i < 2; i++) {
    FILE *f = fopen(names[i], "w");
    fputs("x\n", f);
    fclose(f);
    struct timespec times[2] = {{1714550400 - days[i] * 86400, 0}, {1714550400 - days[i] * 86400, 0}};
    utimensat(AT_FDCWD, names[i], times, 0);
  }
  opsbook_log_plan *lp = NULL;
  CHECK(opsbook_log_plan_new(logs, "{\"compress_after\": 7}", 1714550400.0, &lp) == OPSBOOK_RESULT_OK && lp, "plan: %s", last_error());
  CHECK(opsbook_log_plan_actions(lp, &out) == OPSBOOK_RESULT_OK && strstr(out, "\"action\":\"compress\"") && strstr(out, "old.log") &&
            !strstr(out, "new.log"), "actions: %s", out ? out : last_error());
  opsbook_string_free(out);
  out = NULL;
  CHECK(access(old_log, F_OK) == 0, "planning touches nothing");
  CHECK(opsbook_log_plan_apply(lp, &out) == OPSBOOK_RESULT_OK && strstr(out, "\"done\":true"), "apply: %s", out ? out : last_error());
  opsbook_string_free(out);
  out = NULL;
  char gz[270];
  snprintf(gz, sizeof gz, "%s.gz", old_log);
  CHECK(access(old_log, F_OK) != 0 && access(gz, F_OK) == 0, "old.log compressed");
  opsbook_log_plan_free(lp);
  opsbook_log_plan_free(NULL);
  lp = NULL;
  CHECK(opsbook_log_plan_new(logs, "{\"compress_afterr\": 7}", NAN, &lp) == OPSBOOK_RESULT_INVALID_VALUE && lp == NULL &&
            strstr(last_error(), "rules"), "bad rules: %s", last_error());
  CHECK(opsbook_log_plan_actions(NULL, &out) == OPSBOOK_RESULT_NULL_ARGUMENT, "NULL plan");
  unlink(gz);
  unlink(new_log);
  rmdir(logs);
}

/* One whole maintenance pass (opsbook_run) and YAML policies: a check on a port nothing
 * listens on fires a rule, the pass keeps its state in a file, the JSON says what it did;
 * failures in a row count passes; bad arguments get codes. */
static void maintenance_pass(void) {
  char dir[] = "/tmp/opsbook-c-pass-XXXXXX";
  CHECK(mkdtemp(dir) != NULL, "temp dir");
  char policy[256], state[256];
  snprintf(policy, sizeof policy, "%s/policy.yaml", dir);
  snprintf(state, sizeof state, "%s/state.json", dir);
  const char *yaml = "version: 1\nchecks:\n  - name: worker\n    type: tcp\n    host: 127.0.0.1\n    port: 1\n"
                     "    failures_before_critical: 2\nrules:\n  - name: WorkerDown\n    metric: opsbook_check_status\n"
                     "    match: {check: worker}\n    alert_when: at_or_above 2\n    severity: critical\n";
  FILE *f = fopen(policy, "w");
  CHECK(f && fputs(yaml, f) >= 0 && fclose(f) == 0, "policy written");
  char *out = NULL;
  uint32_t status = 99;
  CHECK(opsbook_run(policy, state, 1795400000.0, 0, "daily", "json", &out, &status) == OPSBOOK_RESULT_OK &&
            status == OPSBOOK_STATUS_WARNING && strstr(out, "\"failure 1 of 2 tolerated") &&
            !strstr(out, "\"kind\":\"firing\""),
        "first pass: a tolerated failure (%s) %s", last_error(), out ? out : "NULL");
  opsbook_string_free(out);
  out = NULL;
  CHECK(opsbook_run(policy, state, 1795400060.0, 0, "daily", "text", &out, &status) == OPSBOOK_RESULT_OK &&
            status == OPSBOOK_STATUS_CRITICAL && strstr(out, "WorkerDown"),
        "second pass: CRITICAL and the rule fires (%s) %s", last_error(), out ? out : "NULL");
  opsbook_string_free(out);
  out = NULL;
  CHECK(opsbook_run(NULL, state, NAN, 0, "daily", "json", &out, &status) == OPSBOOK_RESULT_NULL_ARGUMENT, "NULL policy");
  CHECK(opsbook_run(policy, state, NAN, 0, "weekly", "json", &out, &status) == OPSBOOK_RESULT_INVALID_VALUE &&
            strstr(last_error(), "weekly"), "bad kind: %s", last_error());
  CHECK(opsbook_run(policy, state, NAN, 0, "daily", "json", &out, NULL) == OPSBOOK_RESULT_NULL_ARGUMENT, "NULL status");
  opsbook_runner *runner = NULL;
  CHECK(opsbook_runner_from_yaml("version: 1\nchecks:\n  - name: up\n    type: command\n    argv: [\"true\"]\n", &runner) ==
            OPSBOOK_RESULT_OK, "runner from YAML: %s", last_error());
  opsbook_runner_free(runner);
  runner = NULL;
  CHECK(opsbook_runner_from_file(policy, &runner) == OPSBOOK_RESULT_OK, "runner from a YAML file: %s", last_error());
  opsbook_runner_free(runner);
  runner = NULL;
  CHECK(opsbook_runner_from_yaml("version: 1\nchecks:\n  - name: up\n    type: command\n    argv: 3\n", &runner) ==
            OPSBOOK_RESULT_INVALID_VALUE && strstr(last_error(), "line 5: checks[0] (up)"),
        "a YAML error names the line: %s", last_error());
  char lock[300];
  snprintf(lock, sizeof lock, "%s.run.lock", state);
  unlink(lock);
  unlink(state);
  char other[300];
  snprintf(other, sizeof other, "%s/state.lock", dir);
  unlink(other);
  unlink(policy);
  rmdir(dir);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s VECTORS_DIR\n", argv[0]);
    return 2;
  }
  replay_ranges(argv[1]);
  replay_thresholds(argv[1]);
  replay_status(argv[1]);
  replay_reports(argv[1]);
  abi_conventions();
  runner_checks();
  replay_policies(argv[1]);
  replay_forecasts(argv[1]);
  replay_holt_winters(argv[1]);
  replay_rules(argv[1]);
  notify_and_incidents();
  replay_alerting(argv[1]);
  replay_manifests(argv[1]);
  replay_retention(argv[1]);
  verify_a_tree();
  state_and_delivery(argv[1]);
  replay_templates(argv[1]);
  replay_alert_messages(argv[1]);
  replay_logs(argv[1]);
  replay_daily_reports(argv[1]);
  maintenance_pass();
  printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
