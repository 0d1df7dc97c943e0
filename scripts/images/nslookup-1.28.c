/* nslookup as busybox 1.28 prints it: the seed documents run busybox:1.28 and
 * gcr.io/google-containers/busybox and show its answers, e.g.
 *
 *   Server:    10.43.0.10
 *   Address 1: 10.43.0.10 kube-dns.kube-system.svc.cluster.local
 *
 *   Name:      kubernetes.default
 *   Address 1: 10.43.0.1 kubernetes.default.svc.cluster.local
 *
 * Debian's busybox-static is newer and prints another format, so k8ts's busybox:1.28 image
 * carries this program as its nslookup. Names are looked up through the C library's resolver
 * (resolv.conf's search list and ndots apply, as they did for busybox 1.28 on glibc), each
 * address is followed by its PTR name when it has one, and an optional second argument names
 * the server to ask. A name that does not resolve prints "nslookup: can't resolve 'NAME'" on
 * stderr and exits 1. */
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

static int show(const char *header, const char *name) {
  struct addrinfo hints, *found = NULL;
  memset(&hints, 0, sizeof hints);
  hints.ai_socktype = SOCK_STREAM; /* one entry per address, not one per socket type */
  if (getaddrinfo(name, NULL, &hints, &found) != 0) {
    fprintf(stderr, "nslookup: can't resolve '%s'\n", name);
    return 1;
  }
  printf("%-10s %s\n", header, name);
  unsigned n = 0;
  for (struct addrinfo *a = found; a != NULL; a = a->ai_next) {
    char numeric[NI_MAXHOST], reverse[NI_MAXHOST];
    if (getnameinfo(a->ai_addr, a->ai_addrlen, numeric, sizeof numeric, NULL, 0, NI_NUMERICHOST) != 0)
      continue;
    if (getnameinfo(a->ai_addr, a->ai_addrlen, reverse, sizeof reverse, NULL, 0, NI_NAMEREQD) == 0)
      printf("Address %u: %s %s\n", ++n, numeric, reverse);
    else
      printf("Address %u: %s\n", ++n, numeric);
  }
  freeaddrinfo(found);
  return 0;
}

/* Points the resolver at SERVER (an IPv4 address or a name) instead of resolv.conf's. */
static int use_server(const char *server) {
  struct in_addr ip;
  if (inet_pton(AF_INET, server, &ip) != 1) {
    struct addrinfo hints, *found = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_INET;
    if (getaddrinfo(server, NULL, &hints, &found) != 0) {
      fprintf(stderr, "nslookup: bad address '%s'\n", server);
      return 1;
    }
    ip = ((struct sockaddr_in *)found->ai_addr)->sin_addr;
    freeaddrinfo(found);
  }
  _res.nscount = 1;
  _res.nsaddr_list[0].sin_family = AF_INET;
  _res.nsaddr_list[0].sin_port = htons(53);
  _res.nsaddr_list[0].sin_addr = ip;
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2 || argc > 3 || argv[1][0] == '-') {
    fputs("Usage: nslookup [HOST] [SERVER]\n\n"
          "Query the nameserver for the IP address of the given HOST\n"
          "optionally using a specified DNS server\n",
          stderr);
    return 1;
  }
  res_init();
  if (argc == 3 && use_server(argv[2]) != 0) return 1;
  char server[INET_ADDRSTRLEN] = "127.0.0.1"; /* the resolver's default without a nameserver line */
  if (_res.nscount > 0) inet_ntop(AF_INET, &_res.nsaddr_list[0].sin_addr, server, sizeof server);
  show("Server:", server);
  putchar('\n');
  /* getaddrinfo may have re-read resolv.conf: point it at the named server again */
  if (argc == 3) use_server(argv[2]);
  return show("Name:", argv[1]);
}
