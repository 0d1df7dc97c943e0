/* The pause process of k8ts's pause image: PID 1 of every pod sandbox. It holds the pod's
 * namespaces, reaps orphaned children (processes re-parented to it when the PID namespace is
 * shared) and exits on SIGINT/SIGTERM, as the upstream pause does. */
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static void on_term(int sig) { (void)sig; _exit(0); }

static void on_child(int sig) {
  (void)sig;
  while (waitpid(-1, NULL, WNOHANG) > 0) {
  }
}

int main(void) {
  if (getpid() != 1) {
    /* Upstream warns too: outside a PID namespace nothing is re-parented to us. */
    static const char msg[] = "pause: not running as PID 1\n";
    (void)!write(2, msg, sizeof msg - 1);
  }
  struct sigaction term = {.sa_handler = on_term};
  sigaction(SIGINT, &term, NULL);
  sigaction(SIGTERM, &term, NULL);
  struct sigaction child = {.sa_handler = on_child, .sa_flags = SA_NOCLDSTOP};
  sigaction(SIGCHLD, &child, NULL);
  for (;;) pause();
  return 1;
}
