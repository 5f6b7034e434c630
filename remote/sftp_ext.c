/*
 * sftp_ext - minimal SFTP v3 client for OpenSSH extensions. See sftp_ext.h.
 */
#include "config.h"
#include "sftp_ext.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

#define FXP_INIT 1
#define FXP_VERSION 2
#define FXP_STATUS 101
#define FXP_EXTENDED 200
#define MAX_PACKET (256 * 1024)

struct sftp_ext {
	struct ssh_session *s;
	LIBSSH2_CHANNEL *ch;
	uint32_t next_id;
	struct buf exts;	/* "\0name\0name\0..." */
};

static void put32(struct buf *b, uint32_t v)
{
	unsigned char p[4] = { (unsigned char)(v >> 24), (unsigned char)(v >> 16),
			       (unsigned char)(v >> 8), (unsigned char)v };

	buf_append(b, p, 4);
}

static void putstr(struct buf *b, const char *s)
{
	put32(b, (uint32_t)strlen(s));
	buf_append(b, s, strlen(s));
}

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int send_all(struct sftp_ext *x, const char *p, size_t n, long long deadline,
		    struct err *e)
{
	while (n > 0) {
		ssize_t w = libssh2_channel_write(x->ch, p, n);

		if (w == LIBSSH2_ERROR_EAGAIN) {
			if (ssh_session_wait(x->s, deadline, "sftp", e) < 0)
				return -1;
			continue;
		}
		if (w < 0)
			return ssh_session_error(x->s, "sftp write", e);
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int recv_all(struct sftp_ext *x, unsigned char *p, size_t n, long long deadline,
		    struct err *e)
{
	while (n > 0) {
		ssize_t r = libssh2_channel_read(x->ch, (char *)p, n);

		if (r == LIBSSH2_ERROR_EAGAIN) {
			if (ssh_session_wait(x->s, deadline, "sftp", e) < 0)
				return -1;
			continue;
		}
		if (r < 0)
			return ssh_session_error(x->s, "sftp read", e);
		if (r == 0) {
			if (libssh2_channel_eof(x->ch))
				return err_set(e, ERR_NET, "%s: sftp server closed the channel",
					       ssh_session_label(x->s));
			continue;
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/* send_packet - frame payload (type + body) with its length. */
static int send_packet(struct sftp_ext *x, const struct buf *payload, long long deadline,
		       struct err *e)
{
	struct buf pkt = BUF_INIT;
	int r;

	put32(&pkt, (uint32_t)payload->len);
	buf_append(&pkt, payload->data, payload->len);
	r = send_all(x, pkt.data, pkt.len, deadline, e);
	buf_free(&pkt);
	return r;
}

/* recv_packet - one packet; *out is malloc'd (type byte first). */
static int recv_packet(struct sftp_ext *x, unsigned char **out, uint32_t *len,
		       long long deadline, struct err *e)
{
	unsigned char h[4];

	if (recv_all(x, h, 4, deadline, e) < 0)
		return -1;
	*len = get32(h);
	if (*len < 1 || *len > MAX_PACKET)
		return err_set(e, ERR_RUN, "%s: sftp: bad packet length %u",
			       ssh_session_label(x->s), *len);
	*out = malloc(*len);
	if (*out == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	if (recv_all(x, *out, *len, deadline, e) < 0) {
		free(*out);
		return -1;
	}
	return 0;
}

struct sftp_ext *sftp_ext_open(struct ssh_session *s, long long deadline, struct err *e)
{
	struct sftp_ext *x = calloc(1, sizeof(*x));
	struct buf p = BUF_INIT;
	unsigned char *pkt = NULL;
	uint32_t len, off;

	if (x == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		return NULL;
	}
	x->s = s;
	x->next_id = 1;
	x->ch = ssh_session_channel(s, NULL, "sftp", deadline, e);
	if (x->ch == NULL)
		goto fail;
	buf_putc(&p, FXP_INIT);
	put32(&p, 3);
	if (send_packet(x, &p, deadline, e) < 0 || recv_packet(x, &pkt, &len, deadline, e) < 0)
		goto fail;
	if (pkt[0] != FXP_VERSION || len < 5) {
		err_set(e, ERR_RUN, "%s: sftp: no VERSION reply", ssh_session_label(s));
		goto fail;
	}
	buf_putc(&x->exts, '\0');
	for (off = 5; off + 4 <= len;) {
		uint32_t n = get32(pkt + off), d;

		if (n > len - off - 4)
			break;
		buf_append(&x->exts, pkt + off + 4, n);
		buf_putc(&x->exts, '\0');
		off += 4 + n;
		if (off + 4 > len || (d = get32(pkt + off)) > len - off - 4)
			break;
		off += 4 + d;
	}
	free(pkt);
	buf_free(&p);
	return x;
fail:
	free(pkt);
	buf_free(&p);
	sftp_ext_free(x);
	return NULL;
}

void sftp_ext_free(struct sftp_ext *x)
{
	if (x == NULL)
		return;
	if (x->ch)
		ssh_channel_close(x->s, x->ch, ssh_now_ms() + 2000, NULL, NULL, 0);
	buf_free(&x->exts);
	free(x);
}

int sftp_ext_has(const struct sftp_ext *x, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = x->exts.data; p && p < x->exts.data + x->exts.len; p += strlen(p) + 1)
		if (strlen(p) == n && memcmp(p, name, n) == 0)
			return 1;
	return 0;
}

int sftp_ext_posix_rename(struct sftp_ext *x, const char *from, const char *to,
			  long long deadline, struct err *e)
{
	struct buf p = BUF_INIT;
	unsigned char *pkt = NULL;
	uint32_t len, id = x->next_id++, code;
	int r = -1;

	buf_putc(&p, (char)FXP_EXTENDED);
	put32(&p, id);
	putstr(&p, "posix-rename@openssh.com");
	putstr(&p, from);
	putstr(&p, to);
	if (send_packet(x, &p, deadline, e) < 0 || recv_packet(x, &pkt, &len, deadline, e) < 0)
		goto out;
	if (pkt[0] != FXP_STATUS || len < 9 || get32(pkt + 1) != id) {
		err_set(e, ERR_RUN, "%s: sftp: unexpected reply to posix-rename",
			ssh_session_label(x->s));
		goto out;
	}
	code = get32(pkt + 5);
	if (code != 0) {
		uint32_t mlen = len >= 13 ? get32(pkt + 9) : 0;

		if (mlen > len - 13)
			mlen = 0;
		err_set(e, code == 3 ? ERR_SYS : ERR_RUN, "rename %s to %s on %s: %.*s", from, to,
			ssh_session_label(x->s), (int)mlen, mlen ? (const char *)pkt + 13 : "failed");
		if (code == 3)
			e->sys_errno = EACCES;	/* exit code "permission denied" */
		goto out;
	}
	r = 0;
out:
	free(pkt);
	buf_free(&p);
	return r;
}
