/*
 * benchbook runner: starts a program, reaps it with wait4 and prints the kernel's accounting of that
 * child as one line of JSON:
 *
 *   {"wallNs": n, "userNs": n, "sysNs": n, "maxRssKiB": n, "exitCode": n|null, "signal": n|null,
 *    "timedOut": false, "spawnError": null|"..."}
 *
 * One run:   runner [--stdout FILE] [--stderr FILE] [--timeout-ms N] -- PROGRAM [ARG...]
 * A session: runner --serve SPEC
 *   SPEC lists programs ("variants"), one field per line: `variant`, then `cwd<TAB>dir`,
 *   `env<TAB>NAME=value`, `arg<TAB>word` and `data-limit<TAB>bytes` (a soft RLIMIT_DATA, as
 *   `ulimit -S -d` sets it for benchbook's other processes) lines. Each request on stdin is one line
 *   `<variant><TAB><timeout ms, 0 = none><TAB><stdout file or empty><TAB><stderr file or empty>` and
 *   gets one JSON line back, so benchbook pays for starting the runner once, not once per run.
 *
 * Streams go to /dev/null unless a file is given (hyperfine's default: output costs time, so only the
 * runs that show it write it). Files are opened before the clock starts and the child is started with
 * posix_spawn (vfork-style: no copy of our memory), so the wall time covers starting, running and
 * reaping the program only. The child gets its own process group, so a timeout kills its children too.
 * Built on first use into benchbook's build cache.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define MAX_VARIANTS 256

struct variant {
  char *cwd;
  /* Soft limit of the data segment in bytes, 0 for none. */
  unsigned long long data_limit;
  char **argv;
  int argc;
  char **envp;
  int envc;
};

static struct variant variants[MAX_VARIANTS];
static int variant_count;
static volatile pid_t running_child;

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * UINT64_C(1000000000) + (uint64_t)ts.tv_nsec;
}

static uint64_t timeval_ns(struct timeval tv) {
  return (uint64_t)tv.tv_sec * UINT64_C(1000000000) + (uint64_t)tv.tv_usec * UINT64_C(1000);
}

static void print_json_string(const char *text) {
  putchar('"');
  for (const char *c = text; *c; c++) {
    if (*c == '"' || *c == '\\') printf("\\%c", *c);
    else if ((unsigned char)*c < 0x20) printf("\\u%04x", *c);
    else putchar(*c);
  }
  putchar('"');
}

static void fail(const char *what, const char *detail) {
  fprintf(stderr, "benchbook runner: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
  exit(125);
}

static void *grow(void *items, size_t count, size_t size) {
  void *grown = realloc(items, (count + 1) * size);
  if (grown == NULL) fail("out of memory", NULL);
  return grown;
}

/* Killed by benchbook (an abort): take the program with us instead of leaving it running. */
static void on_terminate(int signal) {
  if (running_child > 0) kill(-running_child, SIGKILL);
  _exit(128 + signal);
}

/* Runs one program and prints its accounting. timeout_ms 0 waits for as long as it takes. */
static void run_once(const struct variant *v, uint64_t timeout_ms, const char *out_file, const char *err_file) {
  const char *files[3] = {"/dev/null", out_file && *out_file ? out_file : "/dev/null", err_file && *err_file ? err_file : "/dev/null"};
  int flags[3] = {O_RDONLY, O_WRONLY | O_CREAT | O_TRUNC, O_WRONLY | O_CREAT | O_TRUNC};
  int fds[3];
  for (int s = 0; s < 3; s++) {
    fds[s] = open(files[s], flags[s] | O_CLOEXEC, 0644);
    if (fds[s] < 0) fail("cannot open", files[s]);
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  for (int s = 0; s < 3; s++) posix_spawn_file_actions_adddup2(&actions, fds[s], s);
  if (v->cwd) posix_spawn_file_actions_addchdir_np(&actions, v->cwd);
  /* SIGCHLD is blocked here (to wait for it with a timeout); the program must start with a clean mask. */
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t empty;
  sigemptyset(&empty);
  posix_spawnattr_setsigmask(&attributes, &empty);
  posix_spawnattr_setpgroup(&attributes, 0);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP);

  /* The child inherits our limits when it is created: lower ours for the spawn only. Only the soft
   * limit, and never above the hard one. */
  struct rlimit ours;
  int limited = v->data_limit > 0 && getrlimit(RLIMIT_DATA, &ours) == 0;
  if (limited) {
    struct rlimit lower = ours;
    lower.rlim_cur = ours.rlim_max != RLIM_INFINITY && ours.rlim_max < v->data_limit ? ours.rlim_max : (rlim_t)v->data_limit;
    setrlimit(RLIMIT_DATA, &lower);
  }
  pid_t pid;
  uint64_t start = now_ns();
  int spawned = posix_spawnp(&pid, v->argv[0], &actions, &attributes, v->argv, v->envp ? v->envp : environ);
  if (limited) setrlimit(RLIMIT_DATA, &ours);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  for (int s = 0; s < 3; s++) close(fds[s]);
  if (spawned != 0) {
    printf("{\"wallNs\": 0, \"userNs\": 0, \"sysNs\": 0, \"maxRssKiB\": 0, \"exitCode\": null, \"signal\": null, "
           "\"timedOut\": false, \"spawnError\": ");
    print_json_string(strerror(spawned));
    printf("}\n");
    fflush(stdout);
    return;
  }
  running_child = pid;

  int timed_out = 0;
  int status;
  struct rusage usage;
  pid_t waited = 0;
  if (timeout_ms > 0) {
    /* Poll for the child, sleeping until a SIGCHLD or the deadline. A SIGCHLD may be stale (a spawn
     * that failed), so only wait4 says whether this child is done. */
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    uint64_t deadline = start + timeout_ms * UINT64_C(1000000);
    for (;;) {
      waited = wait4(pid, &status, WNOHANG, &usage);
      if (waited == pid || (waited < 0 && errno != EINTR)) break;
      uint64_t now = now_ns();
      if (now >= deadline) {
        timed_out = 1;
        kill(-pid, SIGKILL);
        waited = 0;
        break;
      }
      uint64_t left = deadline - now;
      struct timespec wait_for = {(time_t)(left / UINT64_C(1000000000)), (long)(left % UINT64_C(1000000000))};
      sigtimedwait(&chld, NULL, &wait_for);
    }
  }
  while (waited != pid) {
    waited = wait4(pid, &status, 0, &usage);
    if (waited < 0 && errno != EINTR) break;
  }
  uint64_t wall = now_ns() - start;
  running_child = 0;
  if (waited != pid) fail("wait4 failed", strerror(errno));

  printf("{\"wallNs\": %llu, \"userNs\": %llu, \"sysNs\": %llu, \"maxRssKiB\": %ld, ", (unsigned long long)wall,
         (unsigned long long)timeval_ns(usage.ru_utime), (unsigned long long)timeval_ns(usage.ru_stime), usage.ru_maxrss);
  if (WIFEXITED(status)) printf("\"exitCode\": %d, \"signal\": null, ", WEXITSTATUS(status));
  else printf("\"exitCode\": null, \"signal\": %d, ", WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  printf("\"timedOut\": %s, \"spawnError\": null}\n", timed_out ? "true" : "false");
  fflush(stdout);
}

/* The environment of a variant: ours, with its own NAME=value entries replacing or adding. */
static char **environment_with(char **extra, int count) {
  int ours = 0;
  while (environ[ours]) ours++;
  char **envp = calloc((size_t)(ours + count + 1), sizeof *envp);
  if (envp == NULL) fail("out of memory", NULL);
  int n = 0;
  for (int i = 0; i < ours; i++) {
    size_t name = strcspn(environ[i], "=");
    int replaced = 0;
    for (int j = 0; j < count && !replaced; j++) replaced = strncmp(extra[j], environ[i], name + 1) == 0;
    if (!replaced) envp[n++] = environ[i];
  }
  for (int j = 0; j < count; j++) envp[n++] = extra[j];
  return envp;
}

static void read_spec(const char *file) {
  FILE *spec = fopen(file, "r");
  if (spec == NULL) fail("cannot read the spec", file);
  char *line = NULL;
  size_t size = 0;
  ssize_t length;
  struct variant *v = NULL;
  char **env = NULL;
  while ((length = getline(&line, &size, spec)) >= 0) {
    if (length > 0 && line[length - 1] == '\n') line[--length] = '\0';
    if (strcmp(line, "variant") == 0) {
      if (v) v->envp = environment_with(env, v->envc);
      if (variant_count == MAX_VARIANTS) fail("too many variants", NULL);
      v = &variants[variant_count++];
      env = NULL;
      continue;
    }
    char *tab = strchr(line, '\t');
    if (v == NULL || tab == NULL) fail("bad spec line", line);
    *tab = '\0';
    char *value = strdup(tab + 1);
    if (value == NULL) fail("out of memory", NULL);
    if (strcmp(line, "cwd") == 0) v->cwd = value;
    else if (strcmp(line, "data-limit") == 0) v->data_limit = strtoull(value, NULL, 10);
    else if (strcmp(line, "env") == 0) {
      env = grow(env, (size_t)v->envc, sizeof *env);
      env[v->envc++] = value;
    } else if (strcmp(line, "arg") == 0) {
      v->argv = grow(v->argv, (size_t)v->argc + 1, sizeof *v->argv);
      v->argv[v->argc++] = value;
      v->argv[v->argc] = NULL;
    } else fail("bad spec line", line);
  }
  if (v) v->envp = environment_with(env, v->envc);
  free(line);
  fclose(spec);
  for (int i = 0; i < variant_count; i++) {
    if (variants[i].argc == 0) fail("a variant has no program", NULL);
  }
}

static void serve(void) {
  char *line = NULL;
  size_t size = 0;
  ssize_t length;
  while ((length = getline(&line, &size, stdin)) >= 0) {
    if (length > 0 && line[length - 1] == '\n') line[--length] = '\0';
    char *fields[4] = {line, NULL, NULL, NULL};
    for (int f = 1; f < 4; f++) {
      char *tab = strchr(fields[f - 1], '\t');
      if (tab == NULL) fail("bad request", line);
      *tab = '\0';
      fields[f] = tab + 1;
    }
    long index = strtol(fields[0], NULL, 10);
    if (index < 0 || index >= variant_count) fail("no such variant", fields[0]);
    run_once(&variants[index], strtoull(fields[1], NULL, 10), fields[2], fields[3]);
  }
  free(line);
}

int main(int argc, char **argv) {
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, NULL);
  signal(SIGTERM, on_terminate);
  signal(SIGINT, on_terminate);

  if (argc == 3 && strcmp(argv[1], "--serve") == 0) {
    read_spec(argv[2]);
    serve();
    return 0;
  }
  const char *out_file = NULL, *err_file = NULL;
  uint64_t timeout_ms = 0;
  int i = 1;
  for (; i < argc && strcmp(argv[i], "--") != 0; i += 2) {
    if (i + 1 >= argc) break;
    if (strcmp(argv[i], "--stdout") == 0) out_file = argv[i + 1];
    else if (strcmp(argv[i], "--stderr") == 0) err_file = argv[i + 1];
    else if (strcmp(argv[i], "--timeout-ms") == 0) timeout_ms = strtoull(argv[i + 1], NULL, 10);
    else break;
  }
  if (i >= argc - 1 || strcmp(argv[i], "--") != 0) {
    fprintf(stderr, "usage: runner [--stdout FILE] [--stderr FILE] [--timeout-ms N] -- PROGRAM [ARG...]\n"
                    "       runner --serve SPEC\n");
    return 125;
  }
  struct variant v = {NULL, 0, &argv[i + 1], argc - i - 1, NULL, 0};
  run_once(&v, timeout_ms, out_file, err_file);
  return 0;
}
