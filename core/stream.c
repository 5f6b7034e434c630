/*
 * stream - TCP streams with deadlines and the OpenSSL BIO over any
 * stream. See stream.h.
 */
#include "config.h"
#include "stream.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <openssl/bio.h>

struct tcp {
	int fd;
};

long long stream_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* remaining - ms left until deadline, at least 0. */
static int remaining(long long deadline)
{
	long long left = deadline - stream_now_ms();

	return left < 0 ? 0 : left > 0x7fffffff ? 0x7fffffff : (int)left;
}

/* tcp_wait - poll fd for events until the deadline; 0 ready, -1 with e set. */
static int tcp_wait(struct stream *s, int fd, short events, long long deadline, const char *what,
		    struct err *e)
{
	struct pollfd p = { .fd = fd, .events = events };

	for (;;) {
		int r = poll(&p, 1, remaining(deadline));

		if (r > 0)
			return 0;
		if (r == 0)
			return err_set(e, ERR_TIMEOUT, "%s %s: timed out", what, s->peer);
		if (errno != EINTR)
			return err_sys(e, "%s %s", what, s->peer);
	}
}

/* tcp_read - recv with a deadline. */
static ssize_t tcp_read(struct stream *s, void *buf, size_t len, int timeout_ms, struct err *e)
{
	struct tcp *t = s->impl;
	long long deadline = stream_now_ms() + timeout_ms;

	for (;;) {
		ssize_t n = recv(t->fd, buf, len, 0);

		if (n >= 0)
			return n;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return err_sys(e, "read from %s", s->peer);
		if (tcp_wait(s, t->fd, POLLIN, deadline, "read from", e) < 0)
			return -1;
	}
}

/* tcp_write - send everything with a deadline. */
static int tcp_write(struct stream *s, const void *buf, size_t len, int timeout_ms, struct err *e)
{
	struct tcp *t = s->impl;
	long long deadline = stream_now_ms() + timeout_ms;
	const char *p = buf;

	while (len > 0) {
		ssize_t n = send(t->fd, p, len, MSG_NOSIGNAL);

		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			return err_sys(e, "write to %s", s->peer);
		if (tcp_wait(s, t->fd, POLLOUT, deadline, "write to", e) < 0)
			return -1;
	}
	return 0;
}

static void tcp_close(struct stream *s)
{
	struct tcp *t = s->impl;

	if (t->fd >= 0)
		close(t->fd);
	free(t);
	free(s);
}

static const struct stream_ops tcp_ops = { "tcp", tcp_read, tcp_write, tcp_close };

/* addr_text - numeric address of sa into out, and "addr:port"/"[addr]:port" into peer. */
static void addr_text(const struct sockaddr *sa, char *out, size_t outlen, char *peer,
		      size_t peerlen)
{
	char port[16];

	if (getnameinfo(sa, sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
			sizeof(struct sockaddr_in), out, (socklen_t)outlen, port, sizeof(port),
			NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
		snprintf(out, outlen, "?");
		snprintf(port, sizeof(port), "?");
	}
	snprintf(peer, peerlen, sa->sa_family == AF_INET6 ? "[%s]:%s" : "%s:%s", out, port);
}

/* tcp_try - one non-blocking connect to ai within the deadline; fd or -1. */
static int tcp_try(const struct addrinfo *ai, long long deadline, char *why, size_t whylen)
{
	struct pollfd p;
	int fd, soerr = 0, r;
	socklen_t sl = sizeof(soerr);

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
	if (fd < 0) {
		snprintf(why, whylen, "socket: %s", strerror(errno));
		return -1;
	}
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return fd;
	if (errno != EINPROGRESS) {
		snprintf(why, whylen, "%s", strerror(errno));
		close(fd);
		return -1;
	}
	p.fd = fd;
	p.events = POLLOUT;
	do
		r = poll(&p, 1, remaining(deadline));
	while (r < 0 && errno == EINTR);
	if (r == 0) {
		snprintf(why, whylen, "timed out");
		close(fd);
		return -1;
	}
	if (r < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0 || soerr != 0) {
		snprintf(why, whylen, "%s", strerror(r < 0 ? errno : soerr ? soerr : errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* A lookup in its own thread, so that a resolver that does not answer
 * cannot hold the probe past its deadline: getaddrinfo has no timeout.
 * Whoever finishes last (the waiter or the thread) frees the job. */
struct lookup {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int done, abandoned, rc, sys_errno;
	char host[256], port[32];
	struct addrinfo *res;
};

static void lookup_free(struct lookup *l)
{
	if (l->res)
		freeaddrinfo(l->res);
	pthread_mutex_destroy(&l->mu);
	pthread_cond_destroy(&l->cv);
	free(l);
}

static void *lookup_main(void *arg)
{
	struct lookup *l = arg;
	struct addrinfo hints, *res = NULL;
	int rc, abandoned;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo(l->host, l->port, &hints, &res);
	pthread_mutex_lock(&l->mu);
	l->rc = rc;
	l->sys_errno = errno;
	l->res = res;
	l->done = 1;
	abandoned = l->abandoned;
	pthread_cond_signal(&l->cv);
	pthread_mutex_unlock(&l->mu);
	if (abandoned)
		lookup_free(l);
	return NULL;
}

/* resolve - getaddrinfo bounded by deadline: 0 with *res, or -1 with e. */
static int resolve(const char *host, const char *port, long long deadline, struct addrinfo **res,
		   struct err *e)
{
	struct lookup *l = calloc(1, sizeof(*l));
	struct timespec ts;
	pthread_t th;
	int rc;

	if (l == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	if (strlen(host) >= sizeof(l->host) || strlen(port) >= sizeof(l->port)) {
		free(l);
		return err_set(e, ERR_INVALID, "resolve %.80s: name too long", host);
	}
	strcpy(l->host, host);
	strcpy(l->port, port);
	pthread_mutex_init(&l->mu, NULL);
	pthread_cond_init(&l->cv, NULL);
	if (pthread_create(&th, NULL, lookup_main, l) != 0) {
		lookup_free(l);
		return err_set(e, ERR_SYS, "resolve %s: cannot start the lookup", host);
	}
	pthread_detach(th);
	clock_gettime(CLOCK_REALTIME, &ts);
	{
		long long left = deadline - stream_now_ms();

		if (left < 0)
			left = 0;
		ts.tv_sec += left / 1000;
		ts.tv_nsec += (left % 1000) * 1000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
	}
	pthread_mutex_lock(&l->mu);
	while (!l->done && pthread_cond_timedwait(&l->cv, &l->mu, &ts) == 0)
		;
	if (!l->done) {
		l->abandoned = 1;	/* the thread frees it when getaddrinfo returns */
		pthread_mutex_unlock(&l->mu);
		return err_set(e, ERR_TIMEOUT, "resolve %s: no answer from the resolver in time",
			       host);
	}
	pthread_mutex_unlock(&l->mu);
	rc = l->rc;
	if (rc != 0) {
		err_set(e, ERR_NOTFOUND, "resolve %s: %s", host,
			rc == EAI_SYSTEM ? strerror(l->sys_errno) : gai_strerror(rc));
		lookup_free(l);
		return -1;
	}
	*res = l->res;
	l->res = NULL;
	lookup_free(l);
	return 0;
}

struct stream *stream_tcp_connect(const char *host, const char *port, int timeout_ms,
				  struct stream_connect_info *info, struct err *e)
{
	struct stream_connect_info local;
	struct addrinfo *res = NULL, *ai;
	long long start = stream_now_ms(), deadline = start + timeout_ms;
	char lastwhy[128] = "no address", peer[80];
	struct stream *s;
	struct tcp *t;
	int r, fd = -1;

	if (info == NULL)
		info = &local;
	memset(info, 0, sizeof(*info));
	r = resolve(host, port, deadline, &res, e);
	info->resolve_ms = (long)(stream_now_ms() - start);
	if (r != 0)
		return NULL;
	for (ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
		struct stream_addr *a = info->naddrs < STREAM_MAX_ADDRS ?
					&info->addrs[info->naddrs++] : NULL;
		long long t0 = stream_now_ms();
		char addr[64];

		if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
			continue;
		addr_text(ai->ai_addr, addr, sizeof(addr), peer, sizeof(peer));
		if (remaining(deadline) == 0) {
			snprintf(lastwhy, sizeof(lastwhy), "%s: timed out", peer);
			if (a) {
				snprintf(a->addr, sizeof(a->addr), "%s", addr);
				snprintf(a->error, sizeof(a->error), "not tried: deadline passed");
			}
			continue;
		}
		fd = tcp_try(ai, deadline, lastwhy, sizeof(lastwhy));
		if (a) {
			snprintf(a->addr, sizeof(a->addr), "%s", addr);
			a->family = ai->ai_family == AF_INET6 ? 6 : 4;
			a->ok = fd >= 0;
			a->ms = (long)(stream_now_ms() - t0);
			if (fd < 0)
				snprintf(a->error, sizeof(a->error), "%s", lastwhy);
		}
		if (fd < 0) {
			char tmp[128];
			int w = snprintf(tmp, sizeof(tmp), "%s", peer);

			if (w > 0 && (size_t)w + 2 < sizeof(tmp))
				snprintf(tmp + w, sizeof(tmp) - (size_t)w, ": %s", lastwhy);
			memcpy(lastwhy, tmp, sizeof(lastwhy));
		}
	}
	freeaddrinfo(res);
	if (fd < 0)
		return err_set(e, strstr(lastwhy, "timed out") ? ERR_TIMEOUT : ERR_SYS,
			       "connect %s port %s: %s", host, port, lastwhy), NULL;
	s = calloc(1, sizeof(*s));
	t = calloc(1, sizeof(*t));
	if (s == NULL || t == NULL) {
		free(s);
		free(t);
		close(fd);
		return err_set(e, ERR_NOMEM, "out of memory"), NULL;
	}
	t->fd = fd;
	s->ops = &tcp_ops;
	s->impl = t;
	snprintf(s->peer, sizeof(s->peer), "%s", peer);
	return s;
}

ssize_t stream_read(struct stream *s, void *buf, size_t len, int timeout_ms, struct err *e)
{
	return s->ops->read(s, buf, len, timeout_ms, e);
}

int stream_write(struct stream *s, const void *buf, size_t len, int timeout_ms, struct err *e)
{
	return s->ops->write(s, buf, len, timeout_ms, e);
}

void stream_close(struct stream *s)
{
	if (s != NULL)
		s->ops->close(s);
}

/* --- the BIO ----------------------------------------------------------- */

struct bio_ctx {
	struct stream *s;
	long long deadline;
	int eof;
	struct err e;
};

/* bio_write - BIO bwrite over stream_write. */
static int bio_write(BIO *b, const char *data, size_t len, size_t *written)
{
	struct bio_ctx *c = BIO_get_data(b);

	BIO_clear_retry_flags(b);
	if (stream_write(c->s, data, len, remaining(c->deadline), &c->e) < 0)
		return 0;
	*written = len;
	return 1;
}

/* bio_read - BIO bread over stream_read; end of stream is a failed read. */
static int bio_read(BIO *b, char *data, size_t len, size_t *readbytes)
{
	struct bio_ctx *c = BIO_get_data(b);
	ssize_t n;

	BIO_clear_retry_flags(b);
	n = stream_read(c->s, data, len, remaining(c->deadline), &c->e);
	if (n <= 0) {
		if (n == 0) {
			c->eof = 1;
			err_set(&c->e, ERR_SYS, "%s closed the connection", c->s->peer);
		}
		return 0;
	}
	*readbytes = (size_t)n;
	return 1;
}

static long bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	struct bio_ctx *c = BIO_get_data(b);

	(void)num;
	(void)ptr;
	switch (cmd) {
	case BIO_CTRL_FLUSH:
		return 1;
	case BIO_CTRL_EOF:
		return c ? c->eof : 1;
	default:
		return 0;
	}
}

static int bio_create(BIO *b)
{
	struct bio_ctx *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return 0;
	BIO_set_data(b, c);
	BIO_set_init(b, 1);
	return 1;
}

static int bio_destroy(BIO *b)
{
	free(BIO_get_data(b));
	BIO_set_data(b, NULL);
	return 1;
}

static BIO_METHOD *bio_meth;
static pthread_once_t bio_once = PTHREAD_ONCE_INIT;

/* bio_method_init - make the one BIO_METHOD (once, even with probes in threads). */
static void bio_method_init(void)
{
	BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK,
				     "relaydeck stream");

	if (m == NULL)
		return;
	BIO_meth_set_write_ex(m, bio_write);
	BIO_meth_set_read_ex(m, bio_read);
	BIO_meth_set_ctrl(m, bio_ctrl);
	BIO_meth_set_create(m, bio_create);
	BIO_meth_set_destroy(m, bio_destroy);
	bio_meth = m;
}

/* bio_method - the BIO_METHOD of stream BIOs, or NULL when OpenSSL is out of memory. */
static BIO_METHOD *bio_method(void)
{
	pthread_once(&bio_once, bio_method_init);
	return bio_meth;
}

BIO *stream_bio_new(struct stream *s)
{
	BIO_METHOD *m = bio_method();
	BIO *b = m ? BIO_new(m) : NULL;

	if (b != NULL) {
		struct bio_ctx *c = BIO_get_data(b);

		c->s = s;
		c->deadline = stream_now_ms() + 10000;
	}
	return b;
}

void stream_bio_set_deadline(BIO *b, long long deadline_ms)
{
	struct bio_ctx *c = BIO_get_data(b);

	c->deadline = deadline_ms;
}

const struct err *stream_bio_error(BIO *b)
{
	struct bio_ctx *c = BIO_get_data(b);

	return &c->e;
}
