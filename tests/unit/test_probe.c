/*
 * test_probe - the SMTP reply parser (tables), host:port parsing,
 * fingerprints against the openssl command line on a generated
 * certificate, the policy-table edit, AUTH hints, and the probe against
 * a real socket peer in a thread that stalls, floods, sends malformed
 * replies or drops the connection: each must end in a failed step with a
 * clear message within the deadline.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <openssl/ssl.h>

#include "buf.h"
#include "err.h"
#include "probe.h"
#include "smtp_reply.h"
#include "stream.h"

/* --- reply parser ------------------------------------------------------- */

struct reply_case {
	const char *in;
	int rc;			/* 1, 0, -1 */
	int code;
	size_t nlines;
	const char *last;	/* text of the last line */
	const char *enhanced;
	enum err_code err;
};

static const struct reply_case reply_cases[] = {
	{ "", 0, 0, 0, NULL, NULL, ERR_OK },
	{ "2", 0, 0, 0, NULL, NULL, ERR_OK },
	{ "220 ready", 0, 0, 0, NULL, NULL, ERR_OK },
	{ "220 ready\r\n", 1, 220, 1, "ready", "", ERR_OK },
	{ "220 ready\n", 1, 220, 1, "ready", "", ERR_OK },
	{ "250\r\n", 1, 250, 1, "", "", ERR_OK },
	{ "250-a\r\n250-b\r\n250 c\r\n", 1, 250, 3, "c", "", ERR_OK },
	{ "250-a\r\n250-b\r\n", 0, 0, 0, NULL, NULL, ERR_OK },
	{ "250-\r\n250 x\r\n", 1, 250, 2, "x", "", ERR_OK },
	{ "535 5.7.8 Bad credentials\r\n", 1, 535, 1, "5.7.8 Bad credentials", "5.7.8", ERR_OK },
	{ "535 2.7.8 class disagrees\r\n", 1, 535, 1, "2.7.8 class disagrees", "", ERR_OK },
	{ "454 4.7.0 TLS not available\r\n", 1, 454, 1, "4.7.0 TLS not available", "4.7.0", ERR_OK },
	{ "534-5.7.9 first\r\n534 5.7.9 second\r\n", 1, 534, 2, "5.7.9 second", "5.7.9", ERR_OK },
	{ "250-a\r\n251 b\r\n", -1, 0, 0, NULL, NULL, ERR_PARSE },
	{ "25x ok\r\n", -1, 0, 0, NULL, NULL, ERR_PARSE },
	{ "2500 ok\r\n", -1, 0, 0, NULL, NULL, ERR_PARSE },
	{ "hello\r\n", -1, 0, 0, NULL, NULL, ERR_PARSE },
	{ "199 low\r\n", -1, 0, 0, NULL, NULL, ERR_PARSE },
	{ "600 high\r\n", -1, 0, 0, NULL, NULL, ERR_PARSE },
	{ "220_x", -1, 0, 0, NULL, NULL, ERR_PARSE },
	{ "\r\n", -1, 0, 0, NULL, NULL, ERR_PARSE },
	{ "22\r\n", -1, 0, 0, NULL, NULL, ERR_PARSE },
};

static void test_reply_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(reply_cases) / sizeof(reply_cases[0]); i++) {
		const struct reply_case *c = &reply_cases[i];
		struct smtp_reply r;
		size_t used = 99;
		struct err e;
		int rc;

		err_clear(&e);
		rc = smtp_reply_parse(c->in, strlen(c->in), &r, &used, &e);
		if (rc != c->rc)
			fail_msg("case %zu (%s): rc %d, want %d (%s)", i, c->in, rc, c->rc, e.msg);
		if (rc == 1) {
			assert_int_equal(r.code, c->code);
			assert_int_equal(r.nlines, c->nlines);
			assert_string_equal(r.lines[r.nlines - 1], c->last);
			assert_string_equal(r.enhanced, c->enhanced);
			assert_int_equal(used, strlen(c->in));
		} else {
			assert_int_equal(r.nlines, 0);
		}
		if (rc < 0) {
			assert_int_equal(e.code, c->err);
			assert_true(e.msg[0] != '\0');
		}
		smtp_reply_free(&r);
	}
}

/* Two replies back to back: the first is parsed, the rest left alone. */
static void test_reply_pipelined(void **state)
{
	const char *in = "250 first\r\n354 go\r\n";
	struct smtp_reply r;
	size_t used;
	struct err e;

	(void)state;
	assert_int_equal(smtp_reply_parse(in, strlen(in), &r, &used, &e), 1);
	assert_int_equal(used, 11);
	assert_int_equal(r.code, 250);
	smtp_reply_free(&r);
	assert_int_equal(smtp_reply_parse(in + used, strlen(in) - used, &r, &used, &e), 1);
	assert_int_equal(r.code, 354);
	smtp_reply_free(&r);
}

static void test_reply_caps(void **state)
{
	struct buf b = BUF_INIT;
	struct smtp_reply r;
	size_t used;
	struct err e;

	(void)state;
	/* a line of exactly the cap (CRLF included) is fine, one more byte is not */
	buf_puts(&b, "250 ");
	while (b.len < SMTP_LINE_MAX - 2)
		buf_putc(&b, 'a');
	buf_puts(&b, "\r\n");
	assert_int_equal(smtp_reply_parse(b.data, b.len, &r, &used, &e), 1);
	smtp_reply_free(&r);
	buf_reset(&b);
	buf_puts(&b, "250 ");
	while (b.len < SMTP_LINE_MAX + 10)
		buf_putc(&b, 'a');
	assert_int_equal(smtp_reply_parse(b.data, b.len, &r, &used, &e), -1);
	assert_int_equal(e.code, ERR_LIMIT);
	assert_non_null(strstr(e.msg, "longer than 4096"));
	/* with a newline far away it is still too long */
	buf_puts(&b, "\r\n");
	assert_int_equal(smtp_reply_parse(b.data, b.len, &r, &used, &e), -1);
	assert_int_equal(e.code, ERR_LIMIT);
	/* many short continuation lines beyond 64 KiB */
	buf_reset(&b);
	while (b.len < SMTP_REPLY_MAX + 100)
		buf_puts(&b, "250-0123456789012345678901234567890123456789\r\n");
	buf_puts(&b, "250 end\r\n");
	assert_int_equal(smtp_reply_parse(b.data, b.len, &r, &used, &e), -1);
	assert_int_equal(e.code, ERR_LIMIT);
	assert_non_null(strstr(e.msg, "reply longer"));
	/* a NUL inside a line */
	assert_int_equal(smtp_reply_parse("250 a\0b\r\n", 9, &r, &used, &e), -1);
	assert_int_equal(e.code, ERR_PARSE);
	buf_free(&b);
}

static void test_enhanced(void **state)
{
	char out[16];

	(void)state;
	assert_int_equal(smtp_reply_enhanced(535, "5.7.8 x", out, sizeof(out)), 1);
	assert_string_equal(out, "5.7.8");
	assert_int_equal(smtp_reply_enhanced(250, "2.0.0", out, sizeof(out)), 1);
	assert_int_equal(smtp_reply_enhanced(550, "5.1.1234 x", out, sizeof(out)), 0);
	assert_int_equal(smtp_reply_enhanced(550, "5..1 x", out, sizeof(out)), 0);
	assert_int_equal(smtp_reply_enhanced(550, "5.1.1x", out, sizeof(out)), 0);
	assert_int_equal(smtp_reply_enhanced(354, "3.0.0 x", out, sizeof(out)), 0);
	assert_int_equal(smtp_reply_enhanced(550, "", out, sizeof(out)), 0);
}

/* --- host:port ----------------------------------------------------------- */

struct hp_case {
	const char *in;
	int rc;
	const char *host, *port;
	int bracketed;
};

static const struct hp_case hp_cases[] = {
	{ "smtp.example.com", 0, "smtp.example.com", "587", 0 },
	{ "smtp.example.com:465", 0, "smtp.example.com", "465", 0 },
	{ "[smtp.example.com]:2525", 0, "smtp.example.com", "2525", 1 },
	{ "[smtp.example.com]", 0, "smtp.example.com", "587", 1 },
	{ "127.0.0.1", 0, "127.0.0.1", "587", 0 },
	{ "127.0.0.1:10587", 0, "127.0.0.1", "10587", 0 },
	{ "[::1]:10587", 0, "::1", "10587", 1 },
	{ "::1", 0, "::1", "587", 0 },
	{ "[2001:db8::1]", 0, "2001:db8::1", "587", 1 },
	{ "", -1, NULL, NULL, 0 },
	{ "[::1", -1, NULL, NULL, 0 },
	{ "[::1]x", -1, NULL, NULL, 0 },
	{ "host:0", -1, NULL, NULL, 0 },
	{ "host:70000", -1, NULL, NULL, 0 },
	{ "host:", -1, NULL, NULL, 0 },
	{ ":25", -1, NULL, NULL, 0 },
	{ "bad host:25", -1, NULL, NULL, 0 },
	{ "-x.example", -1, NULL, NULL, 0 },
};

static void test_hostport(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(hp_cases) / sizeof(hp_cases[0]); i++) {
		const struct hp_case *c = &hp_cases[i];
		char host[256], port[16];
		int br = -1, rc;
		struct err e;

		rc = probe_parse_hostport(c->in, "587", host, sizeof(host), port, sizeof(port), &br, &e);
		if (rc != c->rc)
			fail_msg("case %s: rc %d, want %d (%s)", c->in, rc, c->rc, e.msg);
		if (rc == 0) {
			assert_string_equal(host, c->host);
			assert_string_equal(port, c->port);
			assert_int_equal(br, c->bracketed);
		}
	}
	assert_int_equal(probe_parse_hostport(NULL, "587", (char[8]){ 0 }, 8, (char[8]){ 0 }, 8,
					      NULL, &(struct err){ 0 }), -1);
}

/* --- fingerprints against openssl(1) ------------------------------------- */

/* run_capture - stdout of a shell command (test helper), trimmed. */
static char *run_capture(const char *cmd)
{
	struct buf b = BUF_INIT;
	char chunk[512];
	FILE *p = popen(cmd, "r");
	size_t n;

	assert_non_null(p);
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		buf_append(&b, chunk, n);
	assert_int_equal(pclose(p), 0);
	while (b.len && (b.data[b.len - 1] == '\n' || b.data[b.len - 1] == '\r'))
		b.data[--b.len] = '\0';
	return buf_steal(&b);
}

/* read_file - whole file into a buf. */
static void read_file(const char *path, struct buf *b)
{
	char chunk[4096];
	FILE *f = fopen(path, "rb");
	size_t n;

	assert_non_null(f);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(b, chunk, n);
	fclose(f);
}

static void upper(char *s)
{
	for (; *s; s++)
		if (*s >= 'a' && *s <= 'f')
			*s = (char)(*s - 'a' + 'A');
}

static void test_fingerprint(void **state)
{
	char dir[] = "/tmp/test_probe.XXXXXX", cmd[1024], fp[PROBE_FP_MAX], path[256];
	const char *digests[] = { "sha256", "sha1", "md5" };
	struct buf der = BUF_INIT, pub = BUF_INIT;
	struct err e;
	char *want, *eq;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd), "cd %s && openssl req -x509 -newkey rsa:2048 -nodes -keyout k.pem "
		 "-out c.pem -days 2 -subj /CN=fp.test 2>/dev/null && openssl x509 -in c.pem "
		 "-outform DER -out c.der && openssl x509 -in c.pem -pubkey -noout | "
		 "openssl pkey -pubin -outform DER -out p.der", dir);
	assert_int_equal(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/c.der", dir);
	read_file(path, &der);
	snprintf(path, sizeof(path), "%s/p.der", dir);
	read_file(path, &pub);
	for (size_t i = 0; i < 3; i++) {
		snprintf(cmd, sizeof(cmd), "openssl x509 -in %s/c.pem -noout -fingerprint -%s", dir,
			 digests[i]);
		want = run_capture(cmd);	/* "SHA256 Fingerprint=AB:..." */
		eq = strchr(want, '=');
		assert_non_null(eq);
		assert_int_equal(probe_fingerprint(digests[i], (unsigned char *)der.data, der.len, fp,
						   sizeof(fp), &e), 0);
		assert_string_equal(fp, eq + 1);
		free(want);
		snprintf(cmd, sizeof(cmd), "openssl dgst -%s -c %s/p.der | sed 's/.*= //'", digests[i],
			 dir);
		want = run_capture(cmd);
		upper(want);
		assert_int_equal(probe_fingerprint(digests[i], (unsigned char *)pub.data, pub.len, fp,
						   sizeof(fp), &e), 0);
		assert_string_equal(fp, want);
		free(want);
	}
	assert_int_equal(probe_fingerprint("sha512", (unsigned char *)"x", 1, fp, sizeof(fp), &e), -1);
	assert_int_equal(probe_fingerprint("sha256", (unsigned char *)"x", 1, fp, 10, &e), -1);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	buf_free(&der);
	buf_free(&pub);
}

/* --- policy table and hints ---------------------------------------------- */

static void test_policy_edit(void **state)
{
	struct buf out = BUF_INIT;
	struct err e;

	(void)state;
	assert_int_equal(probe_policy_edit("", 0, "[a]:587", "secure match=a", &out, &e), 0);
	assert_string_equal(out.data, "[a]:587 secure match=a\n");
	assert_int_equal(probe_policy_edit("# c\n[b]:25 may", 14, "[a]:587", "verify", &out, &e), 0);
	assert_string_equal(out.data, "# c\n[b]:25 may\n[a]:587 verify\n");
	{
		const char *old = "# pins\n[a]:587 fingerprint\n  match=AA:BB\n[a]:5870 may\n"
				  "[a]:587\tverify\nx encrypt\n";

		assert_int_equal(probe_policy_edit(old, strlen(old), "[a]:587",
						   "fingerprint match=CC", &out, &e), 0);
		assert_string_equal(out.data, "# pins\n[a]:587 fingerprint match=CC\n[a]:5870 may\n"
				    "x encrypt\n");
	}
	buf_free(&out);
}

static void test_auth_hint(void **state)
{
	(void)state;
	assert_null(probe_auth_hint(235, "2.7.0", "ok", "x"));
	assert_non_null(strstr(probe_auth_hint(535, "5.7.3", "5.7.3 Authentication unsuccessful",
					       "smtp.office365.com"), "Office 365"));
	assert_non_null(strstr(probe_auth_hint(535, "5.7.8", "5.7.8 Username and Password not accepted",
					       "smtp.gmail.com"), "app password"));
	assert_non_null(strstr(probe_auth_hint(530, "5.7.0", "5.7.0 Must issue a STARTTLS command first",
					       "x"), "STARTTLS"));
	assert_non_null(strstr(probe_auth_hint(534, "5.7.9", "5.7.9 Application-specific password "
					       "required", "x"), "application-specific"));
	assert_non_null(strstr(probe_auth_hint(454, "4.7.0", "4.7.0 TLS not available", "x"),
			       "TLS not available"));
	assert_non_null(strstr(probe_auth_hint(535, "5.7.8", "5.7.8 Error: authentication failed",
					       "relay.example"), "wrong user name or password"));
}

/* --- the probe against a misbehaving peer ---------------------------------- */

struct peer {
	int lfd;
	char port[16];
	const char *const *script;	/* "S:text", "R" (read a line), "BIG", "WAIT", "TLS" */
	pthread_t th;
	SSL_CTX *ctx;			/* for "TLS": server certificate tls_dir/c.pem */
	SSL *ssl;
	char lines[8][256];		/* what "R" read, for the test to inspect */
	int nlines;
};

static char tls_dir[64];		/* self-signed certificate for 127.0.0.1 */

/* peer_recv - recv, or SSL_read once TLS started. */
static ssize_t peer_recv(struct peer *p, int fd, void *b, size_t n)
{
	if (p->ssl) {
		int r = SSL_read(p->ssl, b, (int)n);

		return r > 0 ? r : -1;
	}
	return recv(fd, b, n, 0);
}

static ssize_t peer_send(struct peer *p, int fd, const void *b, size_t n)
{
	if (p->ssl) {
		int r = SSL_write(p->ssl, b, (int)n);

		return r > 0 ? r : -1;
	}
	return send(fd, b, n, MSG_NOSIGNAL);
}

/* peer_readline - one line from the client (kept in p->lines), or -1 at end. */
static int peer_readline(struct peer *p, int fd)
{
	char c, *line = p->nlines < 8 ? p->lines[p->nlines] : NULL;
	size_t len = 0;

	for (;;) {
		ssize_t n = peer_recv(p, fd, &c, 1);

		if (n <= 0)
			return -1;
		if (c == '\n') {
			if (line) {
				line[len] = '\0';
				p->nlines++;
			}
			return 0;
		}
		if (line && c != '\r' && len + 1 < sizeof(p->lines[0]))
			line[len++] = c;
	}
}

static void *peer_main(void *arg)
{
	struct peer *p = arg;
	int fd = accept(p->lfd, NULL, NULL);
	char big[65536];

	if (fd < 0)
		return NULL;
	memset(big, 'A', sizeof(big));
	for (const char *const *s = p->script; *s; s++) {
		if (strncmp(*s, "S:", 2) == 0) {
			if (peer_send(p, fd, *s + 2, strlen(*s + 2)) < 0)
				break;
		} else if (strcmp(*s, "R") == 0) {
			if (peer_readline(p, fd) < 0)
				break;
		} else if (strcmp(*s, "TLS") == 0) {
			p->ssl = SSL_new(p->ctx);
			SSL_set_fd(p->ssl, fd);
			if (SSL_accept(p->ssl) != 1)
				break;
		} else if (strcmp(*s, "BIG") == 0) {
			/* 10 MB without a newline, until the client hangs up */
			for (int i = 0; i < 160; i++)
				if (send(fd, big, sizeof(big), MSG_NOSIGNAL) < 0)
					break;
		} else if (strcmp(*s, "WAIT") == 0) {
			while (peer_recv(p, fd, big, sizeof(big)) > 0)
				;
		}
	}
	if (p->ssl) {
		SSL_free(p->ssl);
		p->ssl = NULL;
	}
	close(fd);
	return NULL;
}

/* peer_start_on - listen on loopback (v6: ::1), a free port, and serve one connection. */
static void peer_start_on(struct peer *p, const char *const *script, int v6)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct sockaddr_in6 sa6 = { .sin6_family = AF_INET6 };
	struct sockaddr *addr = v6 ? (struct sockaddr *)&sa6 : (struct sockaddr *)&sa;
	socklen_t sl = v6 ? sizeof(sa6) : sizeof(sa);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa6.sin6_addr = in6addr_loopback;
	memset(p, 0, sizeof(*p));
	p->script = script;
	p->lfd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
	assert_true(p->lfd >= 0);
	assert_int_equal(bind(p->lfd, addr, sl), 0);
	assert_int_equal(listen(p->lfd, 1), 0);
	assert_int_equal(getsockname(p->lfd, addr, &sl), 0);
	snprintf(p->port, sizeof(p->port), "%d", ntohs(v6 ? sa6.sin6_port : sa.sin_port));
	assert_int_equal(pthread_create(&p->th, NULL, peer_main, p), 0);
}

static void peer_start(struct peer *p, const char *const *script)
{
	peer_start_on(p, script, 0);
}

static void peer_stop(struct peer *p)
{
	pthread_join(p->th, NULL);
	close(p->lfd);
	SSL_CTX_free(p->ctx);
}

/* An IPv6 literal: connect over ::1, the banner and EHLO are read. */
static void test_probe_ipv6(void **state)
{
	static const char *const script[] = { "S:220 v6\r\n", "R", "S:250 v6\r\n", "WAIT", NULL };
	struct probe_result r;
	struct probe_opts o;
	struct peer p;
	struct err e;
	char want[64];

	(void)state;
	peer_start_on(&p, script, 1);
	memset(&o, 0, sizeof(o));
	o.host = "::1";
	o.port = p.port;
	o.timeout_ms = 1000;
	assert_int_equal(probe_run(&o, &r, &e), 1);
	snprintf(want, sizeof(want), "[::1]:%s", p.port);
	assert_string_equal(r.steps[1].name, "connect");
	assert_string_equal(r.steps[1].detail, want);
	assert_string_equal(r.steps[2].name, "banner");
	assert_true(r.steps[2].ok);
	assert_string_equal(r.steps[3].name, "ehlo");
	assert_true(r.steps[3].ok);
	assert_string_equal(r.steps[4].name, "starttls");
	assert_false(r.steps[4].ok);
	probe_result_free(&r);
	peer_stop(&p);
}

/* A TLS peer: AUTH LOGIN inside STARTTLS; the password must reach the
 * server (base64) and never the transcript. */
static void test_probe_tls_login(void **state)
{
	static const char *const script[] = {
		"S:220 tls.test ESMTP\r\n", "R", "S:250-tls.test\r\n250 STARTTLS\r\n", "R",
		"S:220 2.0.0 go\r\n", "TLS", "R",
		"S:250-tls.test\r\n250-AUTH LOGIN XOAUTH2\r\n250 SIZE 1000\r\n", "R",
		"S:334 VXNlcm5hbWU6\r\n", "R", "S:334 UGFzc3dvcmQ6\r\n", "R",
		"S:235 2.7.0 ok\r\n", "R", "S:221 bye\r\n", NULL };
	char cmd[256], ca[128];
	struct probe_result r;
	struct probe_opts o;
	struct peer p;
	struct err e;

	(void)state;
	snprintf(tls_dir, sizeof(tls_dir), "/tmp/test_probe_tls.XXXXXX");
	assert_non_null(mkdtemp(tls_dir));
	snprintf(cmd, sizeof(cmd), "cd %s && openssl req -x509 -newkey ec -pkeyopt "
		 "ec_paramgen_curve:P-256 -nodes -keyout k.pem -out c.pem -days 2 -subj /CN=tls.test "
		 "-addext subjectAltName=IP:127.0.0.1 2>/dev/null", tls_dir);
	assert_int_equal(system(cmd), 0);
	snprintf(ca, sizeof(ca), "%s/c.pem", tls_dir);
	peer_start(&p, script);
	p.ctx = SSL_CTX_new(TLS_server_method());
	assert_int_equal(SSL_CTX_use_certificate_chain_file(p.ctx, ca), 1);
	snprintf(cmd, sizeof(cmd), "%s/k.pem", tls_dir);
	assert_int_equal(SSL_CTX_use_PrivateKey_file(p.ctx, cmd, SSL_FILETYPE_PEM), 1);
	memset(&o, 0, sizeof(o));
	o.host = "127.0.0.1";
	o.port = p.port;
	o.timeout_ms = 2000;
	o.ca_file = ca;
	o.auth = 1;
	o.user = "u@x";
	o.password = "s3cret-pw";
	assert_int_equal(probe_run(&o, &r, &e), 0);
	assert_true(r.ok);
	assert_true(r.tls.verified);
	assert_true(r.tls.hostname_match);
	assert_true(r.auth.ok);
	assert_true(r.auth.xoauth2);
	assert_string_equal(r.auth.mechanism, "LOGIN");
	assert_int_equal(r.tls.nchain, 1);
	assert_string_equal(r.tls.chain[0].key_type, "EC");
	assert_int_equal(r.tls.chain[0].key_bits, 256);
	for (size_t i = 0; i < r.ntranscript; i++) {
		assert_null(strstr(r.transcript[i], "s3cret"));
		assert_null(strstr(r.transcript[i], "czNjcmV0LXB3"));	/* base64 of it */
	}
	probe_result_free(&r);
	peer_stop(&p);
	/* the server got EHLO, STARTTLS, EHLO, AUTH LOGIN, user and password in base64, QUIT */
	assert_int_equal(p.nlines, 7);
	assert_string_equal(p.lines[3], "AUTH LOGIN");
	assert_string_equal(p.lines[4], "dUB4");
	assert_string_equal(p.lines[5], "czNjcmV0LXB3");
	assert_string_equal(p.lines[6], "QUIT");
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tls_dir);
	assert_int_equal(system(cmd), 0);
}

/* --- AUTH only over a trusted certificate ---------------------------------- */

static char trust_dir[64];	/* certificates made with openssl(1) for these tests */

/* make_cert - a self-signed EC certificate NAME.pem/NAME.key in trust_dir
 * with subject CN and the given subjectAltName. */
static void make_cert(const char *name, const char *cn, const char *san)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "cd %s && openssl req -x509 -newkey ec -pkeyopt "
		 "ec_paramgen_curve:P-256 -nodes -keyout %s.key -out %s.pem -days 2 -subj /CN=%s "
		 "-addext subjectAltName=%s 2>/dev/null", trust_dir, name, name, cn, san);
	assert_int_equal(system(cmd), 0);
}

/* tls_peer - start a scripted peer that serves certificate NAME. */
static void tls_peer(struct peer *p, const char *const *script, const char *name)
{
	char path[256];

	peer_start(p, script);
	p->ctx = SSL_CTX_new(TLS_server_method());
	snprintf(path, sizeof(path), "%s/%s.pem", trust_dir, name);
	assert_int_equal(SSL_CTX_use_certificate_chain_file(p->ctx, path), 1);
	snprintf(path, sizeof(path), "%s/%s.key", trust_dir, name);
	assert_int_equal(SSL_CTX_use_PrivateKey_file(p->ctx, path, SSL_FILETYPE_PEM), 1);
}

/* The server side of a STARTTLS session up to the EHLO inside TLS, which
 * offers AUTH; then either AUTH PLAIN and QUIT, or QUIT alone. */
#define TLS_UNTIL_EHLO "S:220 t.test ESMTP\r\n", "R", "S:250-t.test\r\n250 STARTTLS\r\n", "R", \
		       "S:220 2.0.0 go\r\n", "TLS", "R", "S:250-t.test\r\n250 AUTH PLAIN LOGIN\r\n"
static const char *const script_auth[] = { TLS_UNTIL_EHLO, "R", "S:235 2.7.0 ok\r\n", "R",
					   "S:221 bye\r\n", NULL };
static const char *const script_noauth[] = { TLS_UNTIL_EHLO, "R", "S:221 bye\r\n", NULL };

/* trust_probe - probe the peer with AUTH; ca and servername as given. */
static int trust_probe(struct peer *p, struct probe_opts *o, struct probe_result *r,
		       const char *ca)
{
	char path[256];
	struct err e;

	o->host = "127.0.0.1";
	o->port = p->port;
	o->timeout_ms = 2000;
	o->auth = 1;
	o->user = "u@x";
	o->password = "s3cret-pw";
	if (ca) {
		snprintf(path, sizeof(path), "%s/%s.pem", trust_dir, ca);
		o->ca_file = path;
	} else {
		/* a CA file that trusts nothing the peer presents */
		snprintf(path, sizeof(path), "%s/other.pem", trust_dir);
		o->ca_file = path;
	}
	return probe_run(o, r, &e);
}

/* assert_not_sent - the peer read EHLO, STARTTLS, EHLO, QUIT: no AUTH line,
 * no base64 of the password; the result says why. */
static void assert_not_sent(struct peer *p, const struct probe_result *r, const char *reason)
{
	const struct probe_step *last = &r->steps[r->nsteps - 1];
	struct buf j = BUF_INIT;

	assert_int_equal(p->nlines, 4);
	assert_string_equal(p->lines[3], "QUIT");
	for (int i = 0; i < p->nlines; i++)
		assert_null(strstr(p->lines[i], "AUTH"));
	assert_false(r->auth.tried);
	assert_true(r->auth.not_sent);
	assert_false(r->ok);
	assert_string_equal(last->name, "auth");
	assert_false(last->ok);
	assert_true(last->not_sent);
	if (strncmp(last->detail, "not sent: certificate not trusted (", 35) != 0 ||
	    strstr(last->detail, reason) == NULL)
		fail_msg("auth step: %s (want ...%s...)", last->detail, reason);
	probe_json(r, &j);
	assert_non_null(strstr(j.data, "\"status\":\"not_sent\""));
	assert_non_null(strstr(j.data, "\"not_sent\":true"));
	buf_free(&j);
}

/* assert_sent - the peer got AUTH PLAIN with the credential, then QUIT. */
static void assert_sent(struct peer *p, const struct probe_result *r)
{
	assert_int_equal(p->nlines, 5);
	assert_string_equal(p->lines[3], "AUTH PLAIN AHVAeABzM2NyZXQtcHc=");
	assert_string_equal(p->lines[4], "QUIT");
	assert_true(r->auth.tried);
	assert_true(r->auth.ok);
	assert_false(r->auth.not_sent);
}

static void test_auth_trust(void **state)
{
	struct probe_result r;
	struct probe_opts o;
	struct peer p;
	char fp[PROBE_FP_MAX], policy[300], cmd[128];

	(void)state;
	snprintf(trust_dir, sizeof(trust_dir), "/tmp/test_probe_trust.XXXXXX");
	assert_non_null(mkdtemp(trust_dir));
	make_cert("good", "t.test", "IP:127.0.0.1");
	make_cert("other", "other.test", "DNS:other.test");

	/* untrusted (self-signed, not in the CA file): nothing sent */
	tls_peer(&p, script_noauth, "good");
	memset(&o, 0, sizeof(o));
	assert_int_equal(trust_probe(&p, &o, &r, NULL), 1);
	peer_stop(&p);
	assert_false(r.tls.verified);
	assert_not_sent(&p, &r, r.tls.verify_error);
	snprintf(fp, sizeof(fp), "%s", r.tls.cert_sha256);
	probe_result_free(&r);

	/* the chain verifies but the name does not match: nothing sent */
	tls_peer(&p, script_noauth, "good");
	memset(&o, 0, sizeof(o));
	o.servername = "relay.other.test";
	assert_int_equal(trust_probe(&p, &o, &r, "good"), 1);
	peer_stop(&p);
	assert_true(r.tls.verified);
	assert_not_sent(&p, &r, "does not match relay.other.test");
	probe_result_free(&r);

	/* insecure_auth, but for another certificate than the one presented */
	tls_peer(&p, script_noauth, "good");
	memset(&o, 0, sizeof(o));
	o.insecure_auth = 1;
	o.insecure_cert = "AA:BB";
	assert_int_equal(trust_probe(&p, &o, &r, NULL), 1);
	peer_stop(&p);
	assert_not_sent(&p, &r, "not the certificate accepted");
	probe_result_free(&r);

	/* a pin for another key: nothing sent */
	tls_peer(&p, script_noauth, "good");
	memset(&o, 0, sizeof(o));
	o.tls_policy = "fingerprint match=AA:BB:CC";
	assert_int_equal(trust_probe(&p, &o, &r, NULL), 1);
	peer_stop(&p);
	assert_not_sent(&p, &r, "");
	probe_result_free(&r);

	/* the certificate pinned (as smtp_tls_policy_maps has it): sent */
	tls_peer(&p, script_auth, "good");
	memset(&o, 0, sizeof(o));
	snprintf(policy, sizeof(policy), "fingerprint match=AA:BB|%s", fp);
	o.tls_policy = policy;
	assert_int_equal(trust_probe(&p, &o, &r, NULL), 1);	/* verify still fails */
	peer_stop(&p);
	assert_sent(&p, &r);
	probe_result_free(&r);

	/* insecure_auth, for this very certificate: sent, and said so */
	tls_peer(&p, script_auth, "good");
	memset(&o, 0, sizeof(o));
	o.insecure_auth = 1;
	o.insecure_cert = fp;
	assert_int_equal(trust_probe(&p, &o, &r, NULL), 1);
	peer_stop(&p);
	assert_sent(&p, &r);
	assert_true(r.auth.insecure);
	assert_non_null(strstr(r.steps[r.nsteps - 1].detail, "not trusted"));
	probe_result_free(&r);

	/* trusted chain and name: sent */
	tls_peer(&p, script_auth, "good");
	memset(&o, 0, sizeof(o));
	assert_int_equal(trust_probe(&p, &o, &r, "good"), 0);
	peer_stop(&p);
	assert_sent(&p, &r);
	assert_false(r.auth.insecure);
	probe_result_free(&r);

	snprintf(cmd, sizeof(cmd), "rm -rf %s", trust_dir);
	assert_int_equal(system(cmd), 0);
}

/* The other ways in: implicit TLS (port 465) with an untrusted
 * certificate, and a server that stops offering STARTTLS but offers AUTH
 * in the clear (a downgrade in the path), even with insecure_auth: the
 * peer reads no AUTH line. */
static void test_auth_trust_paths(void **state)
{
	static const char *const implicit[] = { "TLS", "S:220 t.test ESMTP\r\n", "R",
						"S:250-t.test\r\n250 AUTH PLAIN LOGIN\r\n", "R",
						"S:221 bye\r\n", "R", NULL };
	static const char *const stripped[] = { "S:220 t.test ESMTP\r\n", "R",
						"S:250-t.test\r\n250 AUTH PLAIN LOGIN\r\n", "R",
						"R", NULL };
	struct probe_result r;
	struct probe_opts o;
	struct peer p;
	char cmd[128];

	(void)state;
	snprintf(trust_dir, sizeof(trust_dir), "/tmp/test_probe_paths.XXXXXX");
	assert_non_null(mkdtemp(trust_dir));
	make_cert("good", "t.test", "IP:127.0.0.1");
	make_cert("other", "other.test", "DNS:other.test");

	tls_peer(&p, implicit, "good");
	memset(&o, 0, sizeof(o));
	o.tls_mode = PROBE_TLS_IMPLICIT;
	assert_int_equal(trust_probe(&p, &o, &r, NULL), 1);
	peer_stop(&p);
	assert_true(r.tls.done);
	assert_int_equal(p.nlines, 2);
	assert_string_equal(p.lines[1], "QUIT");
	assert_true(r.auth.not_sent);
	assert_false(r.auth.tried);
	probe_result_free(&r);

	peer_start(&p, stripped);
	memset(&o, 0, sizeof(o));
	o.insecure_auth = 1;
	assert_int_equal(trust_probe(&p, &o, &r, NULL), 1);
	peer_stop(&p);
	assert_false(r.tls.done);
	assert_int_equal(p.nlines, 1);
	assert_non_null(strstr(p.lines[0], "EHLO"));
	assert_false(r.auth.tried);
	assert_string_equal(r.steps[r.nsteps - 1].name, "starttls");
	probe_result_free(&r);

	snprintf(cmd, sizeof(cmd), "rm -rf %s", trust_dir);
	assert_int_equal(system(cmd), 0);
}

/* A certificate for f*.example.com is not one for foo.example.com (partial
 * wildcards are off, as in Postfix); *.example.com is. */
static void test_partial_wildcard(void **state)
{
	static const char *const script[] = { "S:220 w\r\n", "R", "S:250-w\r\n250 STARTTLS\r\n",
					      "R", "S:220 go\r\n", "TLS", "R", "S:250 w\r\n", "R",
					      "S:221 bye\r\n", NULL };
	const char *names[] = { "partial", "full" };
	struct probe_result r;
	struct probe_opts o;
	struct peer p;
	struct err e;
	char ca[256], cmd[128];

	(void)state;
	snprintf(trust_dir, sizeof(trust_dir), "/tmp/test_probe_wild.XXXXXX");
	assert_non_null(mkdtemp(trust_dir));
	make_cert("partial", "f.example.com", "DNS:f*.example.com");
	make_cert("full", "w.example.com", "DNS:*.example.com");
	for (int i = 0; i < 2; i++) {
		tls_peer(&p, script, names[i]);
		memset(&o, 0, sizeof(o));
		o.host = "127.0.0.1";
		o.port = p.port;
		o.servername = "foo.example.com";
		o.timeout_ms = 2000;
		snprintf(ca, sizeof(ca), "%s/%s.pem", trust_dir, names[i]);
		o.ca_file = ca;
		probe_run(&o, &r, &e);
		peer_stop(&p);
		assert_true(r.tls.done);
		assert_true(r.tls.verified);
		if (r.tls.hostname_match != (i == 1))
			fail_msg("%s: hostname_match %d", names[i], r.tls.hostname_match);
		probe_result_free(&r);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", trust_dir);
	assert_int_equal(system(cmd), 0);
}

/* probe_peer - run the probe against a scripted peer; the failed step and
 * its detail must be as expected and the run must end within the bound. */
static void probe_peer(const char *const *script, enum probe_tls_mode mode, const char *step,
		       const char *detail)
{
	struct probe_result r;
	struct probe_opts o;
	struct peer p;
	struct err e;
	long long t0;
	const struct probe_step *bad = NULL;

	peer_start(&p, script);
	memset(&o, 0, sizeof(o));
	o.host = "127.0.0.1";
	o.port = p.port;
	o.tls_mode = mode;
	o.timeout_ms = 400;
	t0 = stream_now_ms();
	assert_int_equal(probe_run(&o, &r, &e), 1);
	assert_true(stream_now_ms() - t0 < 3000);
	assert_false(r.ok);
	for (size_t i = 0; i < r.nsteps && bad == NULL; i++)
		if (!r.steps[i].ok)
			bad = &r.steps[i];
	assert_non_null(bad);
	if (strcmp(bad->name, step) != 0 || strstr(bad->detail, detail) == NULL)
		fail_msg("failed step %s: %s (want %s: ...%s...)", bad->name, bad->detail, step, detail);
	probe_result_free(&r);
	peer_stop(&p);
}

static void test_probe_stall(void **state)
{
	static const char *const script[] = { "WAIT", NULL };

	(void)state;
	probe_peer(script, PROBE_TLS_STARTTLS, "banner", "no complete reply");
}

static void test_probe_flood(void **state)
{
	static const char *const script[] = { "S:220-", "BIG", "WAIT", NULL };

	(void)state;
	probe_peer(script, PROBE_TLS_STARTTLS, "banner", "longer than 4096");
}

static void test_probe_malformed(void **state)
{
	static const char *const s1[] = { "S:220 hi\r\n", "R", "S:250-x\r\n251 y\r\n", "WAIT", NULL };
	static const char *const s2[] = { "S:hello there\r\n", "WAIT", NULL };
	static const char *const s3[] = { "S:554 go away\r\n", "WAIT", NULL };

	(void)state;
	probe_peer(s1, PROBE_TLS_STARTTLS, "ehlo", "line 2 has code 251");
	probe_peer(s2, PROBE_TLS_STARTTLS, "banner", "malformed reply line 1");
	probe_peer(s3, PROBE_TLS_STARTTLS, "banner", "not a greeting: 554 go away");
}

static void test_probe_no_starttls(void **state)
{
	static const char *const s1[] = { "S:220 hi\r\n", "R", "S:250-x\r\n250 SIZE 1000\r\n",
					   "WAIT", NULL };
	static const char *const s2[] = { "S:220 hi\r\n", "R", "S:250-x\r\n250 STARTTLS\r\n", "R",
					   "S:454 4.7.0 TLS not available due to local problem\r\n",
					   "WAIT", NULL };

	(void)state;
	probe_peer(s1, PROBE_TLS_STARTTLS, "starttls", "does not offer STARTTLS");
	probe_peer(s2, PROBE_TLS_STARTTLS, "starttls", "454 4.7.0 TLS not available");
}

static void test_probe_drop(void **state)
{
	static const char *const s1[] = { "S:220 hi\r\n", "R", "S:250-x\r\n250 STARTTLS\r\n", "R",
					   "S:220 go ahead\r\n", NULL };
	static const char *const s2[] = { "S:220 hi\r\n", "R", "S:250-x\r\n250 STARTTLS\r\n", "R",
					   "S:220 go ahead\r\n", "WAIT", NULL };
	static const char *const s3[] = { "S:220 hi\r\n", "R", "S:250-x\r\n250 STARTTLS\r\n", "R",
					   "S:220 go ahead\r\n250 injected\r\n", "WAIT", NULL };
	static const char *const s4[] = { "S:220 hi\r\n", "R", "S:250-x\r\n", NULL };

	(void)state;
	probe_peer(s1, PROBE_TLS_STARTTLS, "handshake", "");	/* closed before the ServerHello */
	probe_peer(s2, PROBE_TLS_STARTTLS, "handshake", "timed out");
	probe_peer(s3, PROBE_TLS_STARTTLS, "starttls", "after 220 STARTTLS");
	probe_peer(s4, PROBE_TLS_STARTTLS, "ehlo", "closed the connection in the middle");
}

static void test_probe_implicit_plaintext(void **state)
{
	/* a plain SMTP server on a port probed with implicit TLS */
	static const char *const s1[] = { "S:220 hi\r\n", "WAIT", NULL };

	(void)state;
	probe_peer(s1, PROBE_TLS_IMPLICIT, "handshake", "");
}

static void test_probe_refused(void **state)
{
	struct probe_result r;
	struct probe_opts o;
	struct peer p;
	struct err e;

	(void)state;
	/* a port that was just free: bind, note, close */
	p.lfd = socket(AF_INET, SOCK_STREAM, 0);
	{
		struct sockaddr_in sa = { .sin_family = AF_INET };
		socklen_t sl = sizeof(sa);

		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		assert_int_equal(bind(p.lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
		assert_int_equal(getsockname(p.lfd, (struct sockaddr *)&sa, &sl), 0);
		snprintf(p.port, sizeof(p.port), "%d", ntohs(sa.sin_port));
		close(p.lfd);
	}
	memset(&o, 0, sizeof(o));
	o.host = "127.0.0.1";
	o.port = p.port;
	o.timeout_ms = 1000;
	assert_int_equal(probe_run(&o, &r, &e), 1);
	assert_string_equal(r.steps[0].name, "resolve");
	assert_true(r.steps[0].ok);
	assert_string_equal(r.steps[1].name, "connect");
	assert_false(r.steps[1].ok);
	assert_non_null(strstr(r.steps[1].detail, "refused"));
	probe_result_free(&r);
	/* a name that cannot resolve: an answer or a timeout, within the deadline */
	{
		struct stream_connect_info info;
		long long t0 = stream_now_ms();
		struct stream *st = stream_tcp_connect("no-such-host.invalid", "587", 1500, &info, &e);

		assert_null(st);
		assert_true(e.code == ERR_NOTFOUND || e.code == ERR_TIMEOUT);
		assert_non_null(strstr(e.msg, "resolve no-such-host.invalid"));
		assert_true(stream_now_ms() - t0 < 2500);
	}
	/* a bad digest is refused before any network step */
	o.digest = "sha512";
	assert_int_equal(probe_run(&o, &r, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	probe_result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reply_table),
		cmocka_unit_test(test_reply_pipelined),
		cmocka_unit_test(test_reply_caps),
		cmocka_unit_test(test_enhanced),
		cmocka_unit_test(test_hostport),
		cmocka_unit_test(test_fingerprint),
		cmocka_unit_test(test_policy_edit),
		cmocka_unit_test(test_auth_hint),
		cmocka_unit_test(test_probe_stall),
		cmocka_unit_test(test_probe_flood),
		cmocka_unit_test(test_probe_malformed),
		cmocka_unit_test(test_probe_no_starttls),
		cmocka_unit_test(test_probe_drop),
		cmocka_unit_test(test_probe_implicit_plaintext),
		cmocka_unit_test(test_probe_refused),
		cmocka_unit_test(test_probe_tls_login),
		cmocka_unit_test(test_probe_ipv6),
		cmocka_unit_test(test_auth_trust),
		cmocka_unit_test(test_auth_trust_paths),
		cmocka_unit_test(test_partial_wildcard),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
