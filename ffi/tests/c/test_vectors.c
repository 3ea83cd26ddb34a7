/*
 * Replays the JSON files of tests/vectors through the C API of opsbook, and checks the ABI's
 * conventions (NULL arguments, last error, buffer truncation, freeing NULL).
 *
 * Usage: test_vectors VECTORS_DIR
 * Prints "N passed, N failed" and exits non-zero on any failure.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
  printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
