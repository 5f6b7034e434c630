/*
 * stream - the byte stream the probe speaks SMTP and TLS over.
 *
 * A stream is a vtable of read/write/close, every call bounded by a
 * deadline, so that the probe never touches a socket itself: here a TCP
 * connection, later an SSH direct-tcpip channel opened from the managed
 * host. TLS runs over any stream through stream_bio_new (an OpenSSL BIO
 * method that calls the stream ops).
 *
 * stream_tcp_connect resolves every IPv4/IPv6 address of host (the lookup
 * runs in a thread so a silent resolver cannot outlast the deadline) and
 * tries each in turn; lookup and connects share one deadline. info
 * (optional) records the addresses tried, how long each took and why it
 * failed.
 *
 * Ownership: a stream is released with stream_close (NULL is a no-op); a
 * BIO from stream_bio_new does not own its stream.
 * Errors: -1 with e filled; a passed deadline is ERR_TIMEOUT.
 */
#ifndef RELAYDECK_STREAM_H
#define RELAYDECK_STREAM_H

#include <stddef.h>
#include <sys/types.h>

#include <openssl/bio.h>

#include "err.h"

struct stream;

struct stream_ops {
	const char *kind;
	/* Up to len bytes: >0 read, 0 at end of stream, -1 on error/timeout. */
	ssize_t (*read)(struct stream *, void *buf, size_t len, int timeout_ms, struct err *);
	/* All len bytes, or -1. */
	int (*write)(struct stream *, const void *buf, size_t len, int timeout_ms, struct err *);
	void (*close)(struct stream *);
};

struct stream {
	const struct stream_ops *ops;
	char peer[80];		/* "127.0.0.1:587", "[::1]:587" */
	void *impl;
};

#define STREAM_MAX_ADDRS 16

struct stream_addr {
	char addr[64];		/* numeric address */
	int family;		/* 4 or 6 */
	int ok;			/* connected */
	long ms;		/* time this attempt took */
	char error[128];	/* why it failed */
};

struct stream_connect_info {
	long resolve_ms;
	struct stream_addr addrs[STREAM_MAX_ADDRS];
	size_t naddrs;
};

/* stream_tcp_connect - see the file header. port is a number or service name. */
struct stream *stream_tcp_connect(const char *host, const char *port, int timeout_ms,
				  struct stream_connect_info *info, struct err *e);

ssize_t stream_read(struct stream *s, void *buf, size_t len, int timeout_ms, struct err *e);
int stream_write(struct stream *s, const void *buf, size_t len, int timeout_ms, struct err *e);
void stream_close(struct stream *s);

/* stream_bio_new - a BIO reading and writing through s; each BIO call
 * waits until the deadline set with stream_bio_set_deadline. The BIO
 * remembers the last stream error (stream_bio_error). */
BIO *stream_bio_new(struct stream *s);
/* stream_bio_set_deadline - monotonic ms (stream_now_ms) after which I/O fails. */
void stream_bio_set_deadline(BIO *b, long long deadline_ms);
const struct err *stream_bio_error(BIO *b);

/* stream_now_ms - monotonic clock in milliseconds. */
long long stream_now_ms(void);

#endif
