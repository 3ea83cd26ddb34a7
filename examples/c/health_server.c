/*
 * health_server: a C program embedding opsbook that serves its health over HTTP.
 *
 *   health_server POLICY PORT
 *
 * Loads the policy's checks once, listens on 127.0.0.1:PORT and answers, one connection at
 * a time:
 *   GET /health    application/health+json with the checks and values (200, or 503 when
 *                  a check is CRITICAL)
 *   GET /metrics   Prometheus text
 *   anything else  404
 * It prints "listening on PORT" once ready. Each request runs the checks (opsbook's worker
 * threads start on the first one; this program installs no signal handlers).
 *
 *   cc -I ffi/include examples/c/health_server.c target/release/libopsbook_ffi.a \
 *      -lgcc_s -lutil -lrt -lpthread -lm -ldl -o health_server
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "opsbook.h"

static void reply(int fd, int code, const char *type, const char *body) {
  char head[256];
  const char *reason = code == 200 ? "OK" : code == 503 ? "Service Unavailable" : code == 404 ? "Not Found" : "Error";
  int n = snprintf(head, sizeof head,
                   "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\nCache-Control: no-store\r\n"
                   "Connection: close\r\n\r\n",
                   code, reason, type, strlen(body));
  if (write(fd, head, (size_t)n) < 0 || write(fd, body, strlen(body)) < 0) {
    perror("write");
  }
}

static void fail(int fd) {
  char message[512];
  opsbook_last_error(message, sizeof message, NULL);
  reply(fd, 500, "text/plain; charset=utf-8", message);
}

static void serve(int fd, const opsbook_runner *runner) {
  char request[2048] = {0};
  ssize_t got = read(fd, request, sizeof request - 1);
  if (got <= 0) {
    return;
  }
  int health = strncmp(request, "GET /health ", 12) == 0;
  int metrics = strncmp(request, "GET /metrics ", 13) == 0;
  if (!health && !metrics) {
    reply(fd, 404, "text/plain; charset=utf-8", "not found\n");
    return;
  }
  opsbook_report *report = NULL;
  char *body = NULL;
  uint32_t status = OPSBOOK_STATUS_UNKNOWN;
  if (opsbook_runner_run(runner, NULL, &report) != OPSBOOK_RESULT_OK || opsbook_report_status(report, &status) != OPSBOOK_RESULT_OK) {
    fail(fd);
  } else if (health && opsbook_report_health_json(report, true, &body) == OPSBOOK_RESULT_OK) {
    reply(fd, opsbook_status_http(status), "application/health+json", body);
  } else if (metrics && opsbook_report_prometheus(report, &body) == OPSBOOK_RESULT_OK) {
    reply(fd, 200, "text/plain; version=0.0.4; charset=utf-8", body);
  } else {
    fail(fd);
  }
  opsbook_string_free(body);
  opsbook_report_free(report);
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s POLICY PORT\n", argv[0]);
    return 3;
  }
  opsbook_runner *runner = NULL;
  if (opsbook_runner_from_file(argv[1], &runner) != OPSBOOK_RESULT_OK) {
    char message[512];
    opsbook_last_error(message, sizeof message, NULL);
    fprintf(stderr, "health_server: %s\n", message);
    return 3;
  }
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  int yes = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[2]))};
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (listener < 0 || bind(listener, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(listener, 16) != 0) {
    perror("health_server: listen");
    opsbook_runner_free(runner);
    return 3;
  }
  printf("listening on %s\n", argv[2]);
  fflush(stdout);
  for (;;) {
    int fd = accept(listener, NULL, NULL);
    if (fd < 0) {
      continue;
    }
    serve(fd, runner);
    close(fd);
  }
}
