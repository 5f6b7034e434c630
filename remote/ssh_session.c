/*
 * ssh_session - one libssh2 session per host. See ssh_session.h.
 *
 * Order of a connection, each step bounded by one deadline:
 *   resolve (getaddrinfo_a, so a hung resolver cannot hold us) → connect
 *   each address in turn, non-blocking → key exchange with host-key
 *   algorithms ordered so the types known_hosts lists for this host come
 *   first (as ssh(1) does) → known_hosts check → "none" auth to learn the
 *   server's methods → ssh-agent keys → identity files.
 *
 * Through a jump host (ProxyJump) the first step is instead: open the jump
 * host's session (recursively), then a direct-tcpip channel from it to
 * host:port, and run this session over that channel. libssh2 1.10 has no
 * API to give a session a channel instead of a socket; it does send and
 * receive only through its SEND/RECV callbacks, so those are set to
 * functions that write and read the channel (no socketpair, no pump
 * thread, no copy through the kernel). Waiting polls the first hop's
 * socket, the only real one.
 */
#include "config.h"
#include "ssh_session.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "buf.h"
#include "fiber.h"
#include "knownhosts.h"

struct ssh_session {
	char *host;
	char *user;
	int port;
	char label[300];
	char fingerprint[64];
	int fd;			/* the socket; -1 over a jump host */
	LIBSSH2_SESSION *s;
	LIBSSH2_AGENT *agent;
	struct ssh_session *via;	/* the jump host's session, or NULL */
	LIBSSH2_CHANNEL *tunnel;	/* the direct-tcpip channel on via */
	char hostkey_note[300];
};

long long ssh_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int ssh_spec_parse(const char *spec, char **user, char **host, int *port, struct err *e)
{
	const char *at = strrchr(spec, '@'), *h = at ? at + 1 : spec, *hend, *colon = NULL;

	*user = *host = NULL;
	*port = 0;
	if (at == spec)
		return err_set(e, ERR_USAGE, "-H %s: empty user name", spec);
	if (*h == '[') {
		hend = strchr(h, ']');
		if (hend == NULL || hend == h + 1)
			return err_set(e, ERR_USAGE, "-H %s: unbalanced [ ]", spec);
		if (hend[1] == ':')
			colon = hend + 1;
		else if (hend[1] != '\0')
			return err_set(e, ERR_USAGE, "-H %s: expected :PORT after ]", spec);
		h++;
	} else {
		colon = strchr(h, ':');
		if (colon && strchr(colon + 1, ':'))
			colon = NULL;	/* a bare IPv6 address: no port */
		hend = colon ? colon : h + strlen(h);
	}
	if (hend == h)
		return err_set(e, ERR_USAGE, "-H %s: no host name", spec);
	if (colon) {
		char *end;
		long p = strtol(colon + 1, &end, 10);

		if (colon[1] == '\0' || *end != '\0' || p < 1 || p > 65535)
			return err_set(e, ERR_USAGE, "-H %s: bad port", spec);
		*port = (int)p;
	}
	for (const char *c = h; c < hend; c++)
		if ((unsigned char)*c <= ' ' || *c == '/' || *c == '\\')
			return err_set(e, ERR_USAGE, "-H %s: bad host name", spec);
	*host = strndup(h, (size_t)(hend - h));
	if (at)
		*user = strndup(spec, (size_t)(at - spec));
	if (*host == NULL || (at && *user == NULL)) {
		free(*host);
		free(*user);
		*host = *user = NULL;
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	return 0;
}

LIBSSH2_SESSION *ssh_session_raw(struct ssh_session *s)
{
	return s->s;
}

const char *ssh_session_label(const struct ssh_session *s)
{
	return s->label;
}

const char *ssh_session_user(const struct ssh_session *s)
{
	return s->user;
}

const char *ssh_session_fingerprint(const struct ssh_session *s)
{
	return s->fingerprint;
}

const char *ssh_session_hostkey_note(const struct ssh_session *s)
{
	return s->hostkey_note;
}

struct ssh_session *ssh_session_via(struct ssh_session *s)
{
	return s->via;
}

/* root - the first hop: the session that owns the socket. */
static struct ssh_session *root(struct ssh_session *s)
{
	while (s->via)
		s = s->via;
	return s;
}

int ssh_session_pollfd(struct ssh_session *s, struct pollfd *p)
{
	struct ssh_session *r0 = root(s);
	int dir = libssh2_session_block_directions(r0->s);

	for (struct ssh_session *t = s; t->via; t = t->via)
		if (libssh2_poll_channel_read(t->tunnel, 0) > 0)
			return 0;
	p->fd = r0->fd;
	p->events = 0;
	p->revents = 0;
	if (dir & LIBSSH2_SESSION_BLOCK_INBOUND)
		p->events |= POLLIN;
	if (dir & LIBSSH2_SESSION_BLOCK_OUTBOUND)
		p->events |= POLLOUT;
	if (p->events == 0 || s != r0)
		p->events |= POLLIN;	/* libssh2 wants another call: let data arrive */
	return 1;
}

int ssh_session_wait(struct ssh_session *s, long long deadline, const char *what,
		     struct err *e)
{
	struct pollfd p;
	long long left = deadline - ssh_now_ms();
	int r;

	/* Over jump hosts, every byte moves on the first hop's socket; its
	 * session knows whether it is blocked on sending. Data a hop already
	 * read for an inner session is in its channel: no need to poll. */
	if (ssh_session_pollfd(s, &p) == 0 && left > 0)
		return 0;
	if (left <= 0)
		return err_set(e, ERR_TIMEOUT, "%s: %s: no answer in time", s->label, what);
#ifdef TCP_QUICKACK
	/* sshd does not set TCP_NODELAY on a session without a terminal: a
	 * reply written in two parts waits for our ACK of the first, and
	 * Linux delays that ACK by 40 ms; ask for an immediate ACK (Linux
	 * clears the flag by itself, so it is set again before each wait).
	 * Not a TCP socket (a proxy command's pipe): the call fails, harmlessly. */
	{
		int one = 1;

		setsockopt(p.fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
	}
#endif
	do {
		r = fiber_poll(&p, left > 1000000 ? 1000000 : (int)left);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		return err_sys(e, "%s: poll", s->label);
	if (r == 0)
		return err_set(e, ERR_TIMEOUT, "%s: %s: no answer in time", s->label, what);
	return 0;
}

int ssh_session_error(struct ssh_session *s, const char *what, struct err *e)
{
	char *msg = NULL;
	int code = libssh2_session_last_error(s->s, &msg, NULL, 0);

	switch (code) {
	case LIBSSH2_ERROR_SOCKET_DISCONNECT:
	case LIBSSH2_ERROR_SOCKET_RECV:
	case LIBSSH2_ERROR_SOCKET_SEND:
	case LIBSSH2_ERROR_BANNER_RECV:
	case LIBSSH2_ERROR_BANNER_SEND:
		return err_set(e, ERR_NET, "%s: %s: connection lost (%s)", s->label, what,
			       msg ? msg : "?");
	case LIBSSH2_ERROR_TIMEOUT:
	case LIBSSH2_ERROR_SOCKET_TIMEOUT:
		return err_set(e, ERR_TIMEOUT, "%s: %s: timed out", s->label, what);
	default:
		return err_set(e, ERR_RUN, "%s: %s: %s", s->label, what,
			       msg && *msg ? msg : "failed");
	}
}

/* resolve - getaddrinfo bounded by the deadline (glibc's getaddrinfo_a). */
static int resolve(const char *host, int port, long long deadline, struct addrinfo **res,
		   struct err *e)
{
	struct gaicb *req = calloc(1, sizeof(*req));
	struct addrinfo *hints = calloc(1, sizeof(*hints));
	char *service = malloc(8);
	struct gaicb *list[1];
	int r;

	if (req == NULL || hints == NULL || service == NULL) {
		free(req);
		free(hints);
		free(service);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	snprintf(service, 8, "%d", port);
	hints->ai_family = AF_UNSPEC;
	hints->ai_socktype = SOCK_STREAM;
	/* An address needs no resolver: no thread, no wait (inventories
	 * often list addresses). */
	hints->ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	if (getaddrinfo(host, service, hints, res) == 0) {
		free(req);
		free(hints);
		free(service);
		return 0;
	}
	hints->ai_flags = AI_ADDRCONFIG | AI_NUMERICSERV;
	req->ar_name = host;
	req->ar_service = service;
	req->ar_request = hints;
	list[0] = req;
	if ((r = getaddrinfo_a(GAI_NOWAIT, list, 1, NULL)) != 0) {
		free(req);
		free(hints);
		free(service);
		return err_set(e, ERR_NET, "resolve %s: %s", host, gai_strerror(r));
	}
	while ((r = gai_error(req)) == EAI_INPROGRESS) {
		long long left = deadline - ssh_now_ms();
		struct timespec ts;

		if (left <= 0 || fiber_expired()) {
			/* A request that cannot be cancelled still owns req: leak it. */
			if (gai_cancel(req) == EAI_CANCELED) {
				free(req);
				free(hints);
				free(service);
			}
			return err_set(e, ERR_TIMEOUT, "resolve %s: no answer in time", host);
		}
		if (fiber_in()) {
			/* the other hosts go on while the resolver thread works */
			struct pollfd none = { -1, 0, 0 };

			fiber_poll(&none, left < 5 ? (int)left : 5);
			continue;
		}
		ts.tv_sec = left / 1000;
		ts.tv_nsec = (left % 1000) * 1000000L;
		gai_suspend((const struct gaicb *const *)list, 1, &ts);
	}
	*res = req->ar_result;
	free(req);
	free(hints);
	free(service);
	if (r != 0)
		return err_set(e, ERR_NET, "resolve %s: %s", host,
			       r == EAI_SYSTEM ? strerror(errno) : gai_strerror(r));
	return 0;
}

/* connect_one - non-blocking connect with a deadline; the socket or -1 (errno set). */
static int connect_one(const struct addrinfo *ai, long long deadline)
{
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
			ai->ai_protocol);
	struct pollfd p;
	socklen_t len = sizeof(int);
	int r, soerr = 0, one = 1;

	if (fd < 0)
		return -1;
	/* Requests are small packets answered by the server: without NODELAY,
	 * Nagle holds each one back until the previous is acknowledged. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return fd;
	if (errno != EINPROGRESS)
		goto fail;
	p.fd = fd;
	p.events = POLLOUT;
	for (;;) {
		long long left = deadline - ssh_now_ms();

		if (left <= 0) {
			errno = ETIMEDOUT;
			goto fail;
		}
		r = fiber_poll(&p, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto fail;
		if (r == 0) {
			errno = ETIMEDOUT;
			goto fail;
		}
		break;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
		goto fail;
	if (soerr != 0) {
		errno = soerr;
		goto fail;
	}
	return fd;
fail:
	r = errno;
	close(fd);
	errno = r;
	return -1;
}

static int connect_host(struct ssh_session *s, long long deadline, struct err *e)
{
	struct addrinfo *res = NULL, *ai;
	char addr[NI_MAXHOST];
	int n = 0, i = 0, last = 0;

	if (resolve(s->host, s->port, deadline, &res, e) < 0)
		return -1;
	for (ai = res; ai; ai = ai->ai_next)
		n++;
	addr[0] = '\0';
	for (ai = res; ai; ai = ai->ai_next, i++) {
		/* Share what is left among the addresses not yet tried. */
		long long now = ssh_now_ms(), slice = (deadline - now) / (n - i);

		getnameinfo(ai->ai_addr, ai->ai_addrlen, addr, sizeof(addr), NULL, 0,
			    NI_NUMERICHOST);
		s->fd = connect_one(ai, ai->ai_next ? now + slice : deadline);
		if (s->fd >= 0)
			break;
		last = errno;
	}
	freeaddrinfo(res);
	if (s->fd >= 0)
		return 0;
	if (last == ETIMEDOUT)
		return err_set(e, ERR_TIMEOUT, "connect to %s port %d: timed out", s->host, s->port);
	errno = last;
	err_set(e, ERR_NET, "connect to %s port %d%s%s%s: %s", s->host, s->port,
		addr[0] && strcmp(addr, s->host) ? " (" : "", addr[0] && strcmp(addr, s->host) ? addr : "",
		addr[0] && strcmp(addr, s->host) ? ")" : "",
		last == ECONNREFUSED ? "connection refused" : strerror(last));
	e->sys_errno = last;
	return -1;
}

/* Host-key algorithms libssh2 1.10 can verify, preferred first. */
#define HOSTKEY_ALGOS "ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,ssh-rsa"
#define KEX_ALGOS "curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256," \
	"ecdh-sha2-nistp384,ecdh-sha2-nistp521,diffie-hellman-group-exchange-sha256," \
	"diffie-hellman-group16-sha512,diffie-hellman-group18-sha512,diffie-hellman-group14-sha256"

/* default_known_hosts - ~/.ssh/known_hosts and the system-wide file. */
static size_t default_known_hosts(char store[2][512], const char *files[2])
{
	const char *home = getenv("HOME");
	size_t n = 0;

	if (home && *home) {
		snprintf(store[n], 512, "%s/.ssh/known_hosts", home);
		files[n] = store[n];
		n++;
	}
	snprintf(store[n], 512, "/etc/ssh/ssh_known_hosts");
	files[n] = store[n];
	return n + 1;
}

static int check_host_key(struct ssh_session *s, const struct ssh_opts *o,
			  const char *const *files, size_t nfiles, const char *name, struct err *e)
{
	size_t len = 0;
	int type = 0;
	const char *blob = libssh2_session_hostkey(s->s, &len, &type);
	struct kh_result r;
	char ktype[64];

	if (blob == NULL)
		return ssh_session_error(s, "host key", e);
	knownhosts_fingerprint((const unsigned char *)blob, len, s->fingerprint,
			       sizeof(s->fingerprint));
	knownhosts_blob_type((const unsigned char *)blob, len, ktype, sizeof(ktype));
	if (knownhosts_check(files, nfiles, name, (const unsigned char *)blob, len, &r, e) < 0)
		return -1;
	switch (r.status) {
	case KH_MATCH:
		return 0;
	case KH_REVOKED:
		err_set(e, ERR_HOSTKEY_REFUSED,
			"the %s host key of %s (%s) is marked @revoked; refused", ktype, name,
			s->fingerprint);
		return err_at(e, r.file, r.line);
	case KH_CHANGED:
		err_set(e, ERR_HOSTKEY_REFUSED,
			"@@@ WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED! @@@ The %s key of %s "
			"is now %s, not the key on this line. Someone could be eavesdropping "
			"(man-in-the-middle attack), or the host key has just been changed. "
			"Refused: a changed key is never accepted. Check the new key with the "
			"host's admin, then remove this line (ssh-keygen -R '%s').",
			ktype, name, s->fingerprint, name);
		return err_at(e, r.file, r.line);
	case KH_UNKNOWN:
	default:
		if (o->hostkey_policy == SSH_HOSTKEY_ACCEPT_UNKNOWN) {
			snprintf(s->hostkey_note, sizeof(s->hostkey_note),
				 "%.40s key %.60s of %.80s is not in known_hosts; accepted for this "
				 "connection only (StrictHostKeyChecking no)", ktype, s->fingerprint,
				 name);
			return 0;
		}
		if (o->hostkey_policy == SSH_HOSTKEY_ACCEPT_NEW && !r.other_types[0] &&
		    o->known_hosts_add) {
			/* A new host: nothing known about it at all. A host known by
			 * another key type is not new (that is how a changed key would
			 * pass), so it is refused below as under "yes". */
			if (knownhosts_add(o->known_hosts_add, name, (const unsigned char *)blob, len,
					   o->hash_known_hosts, e) < 0)
				return -1;
			snprintf(s->hostkey_note, sizeof(s->hostkey_note),
				 "%.40s key %.60s of %.80s added to %.60s (StrictHostKeyChecking accept-new)",
				 ktype, s->fingerprint, name, o->known_hosts_add);
			return 0;
		}
		if (r.other_types[0])
			return err_set(e, ERR_HOSTKEY_UNKNOWN,
				       "host key of %s is not known: %s key fingerprint is %s; "
				       "only %s keys are known for it (%s:%d); refused",
				       name, ktype, s->fingerprint, r.other_types, r.other_file,
				       r.other_line);
		return err_set(e, ERR_HOSTKEY_UNKNOWN,
			       "host key of %s is not known: %s key fingerprint is %s; refused "
			       "(strict checking). Compare it with the host's own "
			       "`ssh-keygen -lf` of its key, then add the key to %s%s",
			       name, ktype, s->fingerprint, nfiles ? files[0] : "known_hosts",
			       r.cert_authorities ? " (@cert-authority lines are not used)" : "");
	}
}

/* get_str - an SSH string at *off in raw; NULL when it runs past len. */
static const unsigned char *get_str(const unsigned char *raw, size_t len, size_t *off,
				    size_t *slen)
{
	size_t n;

	if (*off + 4 > len)
		return NULL;
	n = (size_t)raw[*off] << 24 | (size_t)raw[*off + 1] << 16 | (size_t)raw[*off + 2] << 8 |
	    raw[*off + 3];
	if (n > len - *off - 4)
		return NULL;
	*slen = n;
	*off += 4 + n;
	return raw + *off - n;
}

/* key_file_info - whether a private key file needs a passphrase, and its
 * key type ("ssh-rsa", ...; "" when unknown), read without libssh2 so the
 * error can say why a key was not used. */
static void key_file_info(const char *path, int *encrypted, char *type, size_t typelen)
{
	static const char begin[] = "-----BEGIN OPENSSH PRIVATE KEY-----";
	char text[16384], *p, *end, b64[16384];
	unsigned char raw[12288];
	const unsigned char *f;
	size_t n, m = 0, off = 15, flen;
	FILE *fp = fopen(path, "re");
	int len;

	*encrypted = 0;
	type[0] = '\0';
	if (fp == NULL)
		return;
	n = fread(text, 1, sizeof(text) - 1, fp);
	fclose(fp);
	text[n] = '\0';
	if (strstr(text, "BEGIN RSA PRIVATE KEY"))
		snprintf(type, typelen, "ssh-rsa");
	if (strstr(text, "Proc-Type: 4,ENCRYPTED") || strstr(text, "BEGIN ENCRYPTED PRIVATE KEY")) {
		*encrypted = 1;
		return;
	}
	if ((p = strstr(text, begin)) == NULL)
		return;
	p += sizeof(begin) - 1;
	end = strstr(p, "-----END");
	if (end == NULL)
		return;
	for (; p < end && m + 1 < sizeof(b64); p++)
		if (*p != '\n' && *p != '\r' && *p != ' ')
			b64[m++] = *p;
	m -= m % 4;
	len = EVP_DecodeBlock(raw, (unsigned char *)b64, (int)m);
	/* "openssh-key-v1\0", cipher, kdf, kdf options, key count, public key */
	if (len < 19 || memcmp(raw, "openssh-key-v1", 15) != 0)
		return;
	f = get_str(raw, (size_t)len, &off, &flen);
	*encrypted = !(f && flen == 4 && memcmp(f, "none", 4) == 0);
	if (get_str(raw, (size_t)len, &off, &flen) == NULL ||
	    get_str(raw, (size_t)len, &off, &flen) == NULL || off + 4 > (size_t)len)
		return;
	off += 4;
	if ((f = get_str(raw, (size_t)len, &off, &flen)) == NULL)
		return;
	off = 0;
	if ((f = get_str(f, flen, &off, &n)) != NULL && n < typelen) {
		memcpy(type, f, n);
		type[n] = '\0';
	}
}

/* note - append "; text" to the list of methods tried. */
static void note(struct buf *tried, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note(struct buf *tried, const char *fmt, ...)
{
	va_list ap;

	if (tried->len)
		buf_puts(tried, "; ");
	va_start(ap, fmt);
	buf_vprintf(tried, fmt, ap);
	va_end(ap);
}

static int auth_agent(struct ssh_session *s, long long deadline, struct buf *tried,
		      struct err *e)
{
	struct libssh2_agent_publickey *id = NULL, *prev = NULL;
	int r, n = 0;

	if (getenv("SSH_AUTH_SOCK") == NULL || !*getenv("SSH_AUTH_SOCK")) {
		note(tried, "ssh-agent: none (SSH_AUTH_SOCK unset)");
		return 1;
	}
	s->agent = libssh2_agent_init(s->s);
	if (s->agent == NULL || libssh2_agent_connect(s->agent) != 0) {
		note(tried, "ssh-agent: cannot connect to %s", getenv("SSH_AUTH_SOCK"));
		return 1;
	}
	if (libssh2_agent_list_identities(s->agent) != 0) {
		note(tried, "ssh-agent: cannot list keys");
		return 1;
	}
	while ((r = libssh2_agent_get_identity(s->agent, &id, prev)) == 0) {
		n++;
		while ((r = libssh2_agent_userauth(s->agent, s->user, id)) == LIBSSH2_ERROR_EAGAIN)
			if (ssh_session_wait(s, deadline, "authentication", e) < 0)
				return -1;
		if (r == 0)
			return 0;
		if (libssh2_session_last_errno(s->s) == LIBSSH2_ERROR_SOCKET_DISCONNECT)
			return ssh_session_error(s, "authentication", e);
		prev = id;
	}
	if (n == 0)
		note(tried, "ssh-agent: no keys");
	else {
		note(tried, "ssh-agent: %d key%s refused", n, n == 1 ? "" : "s");
	}
	return 1;
}

static int auth_file(struct ssh_session *s, const struct ssh_opts *o, const char *path,
		     int given, long long deadline, struct buf *tried, struct err *e)
{
	char type[64], pass[1024];
	int r, encrypted;

	if (access(path, F_OK) < 0) {
		if (given)
			note(tried, "%s: not found", path);
		return 1;
	}
	if (access(path, R_OK) < 0) {
		note(tried, "%s: cannot be read", path);
		return 1;
	}
	key_file_info(path, &encrypted, type, sizeof(type));
	pass[0] = '\0';
	if (encrypted && (o->passphrase == NULL ||
			  o->passphrase(o->passphrase_arg, path, pass, sizeof(pass)) < 0)) {
		OPENSSL_cleanse(pass, sizeof(pass));
		note(tried, o->passphrase ? "%s: encrypted, no passphrase given"
					  : "%s: encrypted, and batch mode cannot ask for its "
					    "passphrase (load it into ssh-agent)", path);
		return 1;
	}
	while ((r = libssh2_userauth_publickey_fromfile_ex(s->s, s->user,
							   (unsigned)strlen(s->user), NULL, path,
							   encrypted ? pass : NULL)) ==
	       LIBSSH2_ERROR_EAGAIN)
		if (ssh_session_wait(s, deadline, "authentication", e) < 0) {
			OPENSSL_cleanse(pass, sizeof(pass));
			return -1;
		}
	OPENSSL_cleanse(pass, sizeof(pass));
	if (encrypted && (r == LIBSSH2_ERROR_FILE || r == LIBSSH2_ERROR_KEYFILE_AUTH_FAILED)) {
		note(tried, "%s: wrong passphrase, or a key format this libssh2 cannot decrypt",
		     path);
		return 1;
	}
	if (r == 0)
		return 0;
	switch (r) {
	case LIBSSH2_ERROR_SOCKET_DISCONNECT:
	case LIBSSH2_ERROR_SOCKET_RECV:
	case LIBSSH2_ERROR_SOCKET_SEND:
		return ssh_session_error(s, "authentication", e);
	case LIBSSH2_ERROR_FILE:
	case LIBSSH2_ERROR_KEYFILE_AUTH_FAILED:
		note(tried, "%s: cannot be loaded (unsupported key format?)", path);
		break;
	default:
		if (strcmp(type, "ssh-rsa") == 0)
			/* libssh2 1.10 signs RSA with SHA-1 only; OpenSSH 8.8+ refuses that */
			note(tried, "%s: refused (an RSA key: this libssh2 signs only ssh-rsa/SHA-1, "
			     "which OpenSSH 8.8 and later refuse; use an ed25519 or ecdsa key)", path);
		else
			note(tried, "%s: refused", path);
	}
	return 1;
}

static int authenticate(struct ssh_session *s, const struct ssh_opts *o, long long deadline,
			struct err *e)
{
	struct buf tried = BUF_INIT;
	char *methods;
	int r = 1;

	while ((methods = libssh2_userauth_list(s->s, s->user, (unsigned)strlen(s->user))) == NULL) {
		if (libssh2_userauth_authenticated(s->s))
			return 0;
		if (libssh2_session_last_errno(s->s) != LIBSSH2_ERROR_EAGAIN)
			return ssh_session_error(s, "authentication", e);
		if (ssh_session_wait(s, deadline, "authentication", e) < 0)
			return -1;
	}
	if (strstr(methods, "publickey") == NULL)
		return err_set(e, ERR_AUTH,
			       "%s accepts only %s; relaydeck logs in with keys (ssh-agent or "
			       "identity files), not passwords", s->label, methods);
	if (!o->no_agent)
		r = auth_agent(s, deadline, &tried, e);
	if (r == 1 && o->identities) {
		for (size_t i = 0; r == 1 && i < o->n_identities; i++)
			r = auth_file(s, o, o->identities[i], 1, deadline, &tried, e);
	} else if (r == 1) {
		static const char *const names[] = { "id_ed25519", "id_ecdsa", "id_rsa" };
		const char *home = getenv("HOME");
		char path[512];

		int any = 0;

		for (size_t i = 0; r == 1 && home && i < 3; i++) {
			snprintf(path, sizeof(path), "%s/.ssh/%s", home, names[i]);
			any |= access(path, F_OK) == 0;
			r = auth_file(s, o, path, 0, deadline, &tried, e);
		}
		if (r == 1 && !any)
			note(&tried, "no identity file in %s/.ssh (id_ed25519, id_ecdsa, id_rsa)",
			     home ? home : "~");
	}
	if (r == 1)
		err_set(e, ERR_AUTH, "authentication as %s on %s failed; tried %s; server accepts: %s",
			s->user, s->label, tried.data ? tried.data : "nothing", methods);
	buf_free(&tried);
	return r == 0 ? 0 : -1;
}

/* tunnel_send, tunnel_recv - libssh2's socket I/O for a session that runs
 * over a channel: errors as negative errno values, as send(2)'s would be. */
static ssize_t tunnel_send(libssh2_socket_t fd, const void *buf, size_t len, int flags,
			   void **abstract)
{
	struct ssh_session *s = *abstract;
	ssize_t n = libssh2_channel_write(s->tunnel, buf, len);

	(void)fd;
	(void)flags;
	if (n == LIBSSH2_ERROR_EAGAIN)
		return -EAGAIN;
	return n < 0 ? -ECONNRESET : n;
}

static ssize_t tunnel_recv(libssh2_socket_t fd, void *buf, size_t len, int flags,
			   void **abstract)
{
	struct ssh_session *s = *abstract;
	ssize_t n = libssh2_channel_read(s->tunnel, buf, len);

	(void)fd;
	(void)flags;
	if (n == LIBSSH2_ERROR_EAGAIN)
		return -EAGAIN;
	if (n == 0 && !libssh2_channel_eof(s->tunnel))
		return -EAGAIN;
	return n < 0 ? -ECONNRESET : n;
}

LIBSSH2_CHANNEL *ssh_session_direct_tcpip(struct ssh_session *s, const char *host, int port,
					  long long deadline, struct err *e)
{
	LIBSSH2_CHANNEL *ch;

	while ((ch = libssh2_channel_direct_tcpip_ex(s->s, host, port, "127.0.0.1", 0)) == NULL) {
		char *msg = NULL;
		int code = libssh2_session_last_error(s->s, &msg, NULL, 0);

		if (code != LIBSSH2_ERROR_EAGAIN) {
			if (code == LIBSSH2_ERROR_CHANNEL_FAILURE)
				err_set(e, ERR_NET, "%s could not connect to %s port %d (%s: the "
					"name does not resolve there, the port is closed or "
					"filtered, or its sshd forbids forwarding)", s->label, host,
					port, msg ? msg : "refused");
			else
				ssh_session_error(s, "open a direct-tcpip channel", e);
			return NULL;
		}
		if (ssh_session_wait(s, deadline, "open a direct-tcpip channel", e) < 0)
			return NULL;
	}
	return ch;
}

/* open_tunnel - a direct-tcpip channel from the jump host to host:port. */
static int open_tunnel(struct ssh_session *s, long long deadline, struct err *e)
{
	s->tunnel = ssh_session_direct_tcpip(s->via, s->host, s->port, deadline, e);
	if (s->tunnel == NULL) {
		char msg[sizeof(e->msg)];

		snprintf(msg, sizeof(msg), "%s", e->msg);
		snprintf(e->msg, sizeof(e->msg), "jump host %.400s", msg);
		return -1;
	}
	return 0;
}

static int handshake(struct ssh_session *s, const struct ssh_opts *o, long long deadline,
		     struct err *e)
{
	const char *files[2];
	char store[2][512], name[600], known[256], prefs[512];
	const char *const *kh = o->known_hosts;
	size_t nkh = o->n_known_hosts;
	int r;

	if (kh == NULL) {
		nkh = default_known_hosts(store, files);
		kh = files;
	}
	knownhosts_host_name(o->host_key_alias && *o->host_key_alias ? o->host_key_alias : s->host,
			     s->port, name, sizeof(name));
	knownhosts_types(kh, nkh, name, known, sizeof(known));
	snprintf(prefs, sizeof(prefs), "%s%s%s", known, known[0] ? "," : "", HOSTKEY_ALGOS);
	s->s = libssh2_session_init_ex(NULL, NULL, NULL, s);
	if (s->s == NULL)
		return err_set(e, ERR_NOMEM, "%s: cannot start an SSH session", s->label);
	libssh2_session_set_blocking(s->s, 0);
	if (s->via) {
		libssh2_session_callback_set(s->s, LIBSSH2_CALLBACK_SEND, (void *)tunnel_send);
		libssh2_session_callback_set(s->s, LIBSSH2_CALLBACK_RECV, (void *)tunnel_recv);
	}
	libssh2_session_method_pref(s->s, LIBSSH2_METHOD_HOSTKEY, prefs);
	libssh2_session_method_pref(s->s, LIBSSH2_METHOD_KEX, KEX_ALGOS);
	/* over a tunnel the socket argument is only inspected, never read:
	 * every byte goes through the callbacks */
	while ((r = libssh2_session_handshake(s->s, root(s)->fd)) == LIBSSH2_ERROR_EAGAIN)
		if (ssh_session_wait(s, deadline, "key exchange", e) < 0)
			return -1;
	if (r != 0) {
		char *msg = NULL;

		libssh2_session_last_error(s->s, &msg, NULL, 0);
		return err_set(e, r == LIBSSH2_ERROR_SOCKET_DISCONNECT || r == LIBSSH2_ERROR_BANNER_RECV ||
					  r == LIBSSH2_ERROR_SOCKET_RECV ? ERR_NET : ERR_RUN,
			       "%s: key exchange failed: %s", s->label, msg ? msg : "?");
	}
	return check_host_key(s, o, kh, nkh, name, e);
}

static struct ssh_session *open_at(const struct ssh_opts *o, long long deadline, int depth,
				   struct err *e);

struct ssh_session *ssh_session_open(const struct ssh_opts *o, struct err *e)
{
	int timeout = o->connect_timeout_ms > 0 ? o->connect_timeout_ms : SSH_CONNECT_TIMEOUT_MS;

	return open_at(o, ssh_now_ms() + timeout, 0, e);
}

/* open_at - a session to o->host, through o->via when set, by deadline. */
static struct ssh_session *open_at(const struct ssh_opts *o, long long deadline, int depth,
				   struct err *e)
{
	struct ssh_session *s = calloc(1, sizeof(*s));
	static int inited;

	if (s == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		return NULL;
	}
	s->fd = -1;
	if (!inited) {
		if (libssh2_init(0) != 0) {
			free(s);
			err_set(e, ERR_RUN, "libssh2 could not start");
			return NULL;
		}
		inited = 1;
	}
	s->port = o->port > 0 ? o->port : 22;
	s->host = strdup(o->host);
	if (o->user && *o->user) {
		s->user = strdup(o->user);
	} else {
		struct passwd pwd, *pw = NULL;
		char pwbuf[2048];

		if (getpwuid_r(getuid(), &pwd, pwbuf, sizeof(pwbuf), &pw) != 0)
			pw = NULL;
		s->user = strdup(pw ? pw->pw_name : "root");
	}
	if (s->host == NULL || s->user == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto fail;
	}
	if (s->port == 22)
		snprintf(s->label, sizeof(s->label), "%s@%s", s->user, s->host);
	else if (strchr(s->host, ':'))
		snprintf(s->label, sizeof(s->label), "%s@[%s]:%d", s->user, s->host, s->port);
	else
		snprintf(s->label, sizeof(s->label), "%s@%s:%d", s->user, s->host, s->port);
	if (o->via) {
		if (depth >= SSH_MAX_HOPS) {
			err_set(e, ERR_USAGE, "%s: more than %d jump hosts (a ProxyJump loop?)",
				s->label, SSH_MAX_HOPS);
			goto fail;
		}
		s->via = open_at(o->via, deadline, depth + 1, e);
		if (s->via == NULL) {
			/* say which hop failed: the jump host's own message names it */
			char msg[sizeof(e->msg)];

			snprintf(msg, sizeof(msg), "%s", e->msg);
			snprintf(e->msg, sizeof(e->msg), "jump host for %.150s: %.340s", s->label, msg);
			goto fail;
		}
		if (open_tunnel(s, deadline, e) < 0)
			goto fail;
	} else if (connect_host(s, deadline, e) < 0) {
		goto fail;
	}
	if (handshake(s, o, deadline, e) < 0)
		goto fail;
	if (authenticate(s, o, deadline, e) < 0)
		goto fail;
	return s;
fail:
	ssh_session_free(s);
	return NULL;
}

void ssh_session_free(struct ssh_session *s)
{
	if (s == NULL)
		return;
	if (s->agent) {
		libssh2_agent_disconnect(s->agent);
		libssh2_agent_free(s->agent);
	}
	if (s->s) {
		long long deadline = ssh_now_ms() + 1000;
		struct err ignore;
		int tries = 0;

		/* Best effort: the peer may already be gone. Non-blocking, the
		 * free can want the socket (closing channels, SFTP); with no time
		 * left (a host past its deadline) the socket is cut so libssh2
		 * fails at once and frees everything instead of leaking it. */
		libssh2_session_disconnect(s->s, "relaydeck done");
		while (libssh2_session_free(s->s) == LIBSSH2_ERROR_EAGAIN && ++tries < 100)
			if (ssh_session_wait(s, deadline, "close", &ignore) < 0 && s->fd >= 0)
				shutdown(s->fd, SHUT_RDWR);
	}
	if (s->tunnel) {
		long long deadline = ssh_now_ms() + 1000;
		struct err ignore;

		/* non-blocking: closing the channel may have to wait for the socket */
		while (libssh2_channel_free(s->tunnel) == LIBSSH2_ERROR_EAGAIN)
			if (ssh_session_wait(s->via, deadline, "close channel", &ignore) < 0)
				break;
	}
	ssh_session_free(s->via);
	if (s->fd >= 0)
		close(s->fd);
	free(s->host);
	free(s->user);
	free(s);
}

LIBSSH2_CHANNEL *ssh_session_channel(struct ssh_session *s, const char *cmd,
				     const char *subsystem, long long deadline, struct err *e)
{
	LIBSSH2_CHANNEL *ch;
	const char *req = cmd ? "exec" : "subsystem", *arg = cmd ? cmd : subsystem;
	int r;

	while ((ch = libssh2_channel_open_session(s->s)) == NULL) {
		if (libssh2_session_last_errno(s->s) != LIBSSH2_ERROR_EAGAIN) {
			ssh_session_error(s, "open channel", e);
			return NULL;
		}
		if (ssh_session_wait(s, deadline, "open channel", e) < 0)
			return NULL;
	}
	while ((r = libssh2_channel_process_startup(ch, req, (unsigned)strlen(req), arg,
						    (unsigned)strlen(arg))) == LIBSSH2_ERROR_EAGAIN)
		if (ssh_session_wait(s, deadline, req, e) < 0)
			goto fail;
	if (r != 0) {
		ssh_session_error(s, cmd ? "start /bin/sh" : subsystem, e);
		goto fail;
	}
	return ch;
fail:
	libssh2_channel_free(ch);
	return NULL;
}

void ssh_channel_close(struct ssh_session *s, LIBSSH2_CHANNEL *ch, long long deadline,
		       int *exit_code, char *sig, size_t siglen)
{
	struct err ignore;
	char *name = NULL;
	size_t nlen = 0;

	if (exit_code)
		*exit_code = -1;
	if (sig && siglen)
		sig[0] = '\0';
	if (ch == NULL)
		return;
	while (libssh2_channel_close(ch) == LIBSSH2_ERROR_EAGAIN)
		if (ssh_session_wait(s, deadline, "close channel", &ignore) < 0)
			goto out;
	while (libssh2_channel_wait_closed(ch) == LIBSSH2_ERROR_EAGAIN)
		if (ssh_session_wait(s, deadline, "close channel", &ignore) < 0)
			goto out;
	if (exit_code)
		*exit_code = libssh2_channel_get_exit_status(ch);
	if (libssh2_channel_get_exit_signal(ch, &name, &nlen, NULL, NULL, NULL, NULL) == 0 &&
	    name) {
		if (sig && siglen)
			snprintf(sig, siglen, "%.*s", (int)nlen, name);
		free(name);
		if (exit_code)
			*exit_code = -1;
	}
out:
	libssh2_channel_free(ch);
}
