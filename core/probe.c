/*
 * probe - the SMTP/TLS/AUTH probe. See probe.h.
 *
 * One connection, steps in order; a failing network step ends the probe
 * (nothing sensible can follow it), while a failed verification or host
 * name check is recorded and the probe goes on, so the admin sees the
 * whole picture (fingerprints, AUTH) in one run.
 */
#include "config.h"
#include "probe.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <arpa/inet.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "json.h"
#include "postfix.h"
#include "smtp_reply.h"
#include "stream.h"
#include "target.h"
#include "valid.h"

#define TRANSCRIPT_MAX 400	/* lines kept */
#define TRANSCRIPT_LINE_MAX 1024

struct conn {
	struct stream *s;
	SSL_CTX *ctx;
	SSL *ssl;
	BIO *bio;
	struct buf in;		/* received, not yet parsed */
	int timeout_ms;
	struct probe_result *r;
	X509_STORE *store;	/* the CA read through the target, or NULL */
	char store_err[300];	/* why it could not be read ("" when fine) */
};

/* transcript_add - one redacted, truncated line, as the peer sent it:
 * front ends escape it for the terminal (core/termsafe) or JSON. */
static void transcript_add(struct probe_result *r, const char *prefix, const char *line)
{
	char tmp[TRANSCRIPT_LINE_MAX], **nt;

	if (r->ntranscript >= TRANSCRIPT_MAX)
		return;
	snprintf(tmp, sizeof(tmp), "%s%s", prefix, line);
	nt = realloc(r->transcript, (r->ntranscript + 1) * sizeof(*nt));
	if (nt == NULL)
		return;
	r->transcript = nt;
	if ((nt[r->ntranscript] = strdup(tmp)) != NULL)
		r->ntranscript++;
}

/* step_add - record a finished step; returns ok. */
static int step_add(struct probe_result *r, const char *name, int ok, long long t0,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int step_add(struct probe_result *r, const char *name, int ok, long long t0,
		    const char *fmt, ...)
{
	struct probe_step *ns = realloc(r->steps, (r->nsteps + 1) * sizeof(*ns));
	va_list ap;

	if (ns == NULL)
		return ok;
	r->steps = ns;
	ns += r->nsteps++;
	memset(ns, 0, sizeof(*ns));
	snprintf(ns->name, sizeof(ns->name), "%s", name);
	ns->ok = ok;
	ns->ms = t0 < 0 ? 0 : (long)(stream_now_ms() - t0);
	va_start(ap, fmt);
	vsnprintf(ns->detail, sizeof(ns->detail), fmt, ap);
	va_end(ap);
	if (!ok)
		r->ok = 0;
	return ok;
}

/* ssl_error_text - why the last TLS call failed: the stream's error, or OpenSSL's. */
static void ssl_error_text(struct conn *c, char *out, size_t outlen)
{
	const struct err *be = c->bio ? stream_bio_error(c->bio) : NULL;
	unsigned long code = ERR_peek_last_error();

	if (be && be->code != ERR_OK)
		snprintf(out, outlen, "%s", be->msg);
	else if (code != 0)
		ERR_error_string_n(code, out, outlen);
	else
		snprintf(out, outlen, "%s closed the connection", c->s->peer);
	ERR_clear_error();
}

/* conn_read - some bytes, in or out of TLS, before deadline; 0 at end. */
static ssize_t conn_read(struct conn *c, char *p, size_t len, long long deadline, struct err *e)
{
	long long left = deadline - stream_now_ms();

	if (left <= 0)
		return err_set(e, ERR_TIMEOUT, "read from %s: timed out", c->s->peer);
	if (c->ssl) {
		size_t got = 0;
		char why[256];

		stream_bio_set_deadline(c->bio, deadline);
		if (SSL_read_ex(c->ssl, p, len, &got) == 1)
			return (ssize_t)got;
		if (SSL_get_error(c->ssl, 0) == SSL_ERROR_ZERO_RETURN)
			return 0;
		if (stream_bio_error(c->bio)->code == ERR_TIMEOUT) {
			*e = *stream_bio_error(c->bio);
			return -1;
		}
		ssl_error_text(c, why, sizeof(why));
		return err_set(e, ERR_SYS, "TLS read from %s: %s", c->s->peer, why);
	}
	return stream_read(c->s, p, len, (int)left, e);
}

/* conn_write - all bytes, in or out of TLS. */
static int conn_write(struct conn *c, const char *p, size_t len, struct err *e)
{
	long long deadline = stream_now_ms() + c->timeout_ms;

	if (c->ssl) {
		size_t done = 0;
		char why[256];

		stream_bio_set_deadline(c->bio, deadline);
		if (SSL_write_ex(c->ssl, p, len, &done) == 1 && done == len)
			return 0;
		ssl_error_text(c, why, sizeof(why));
		return err_set(e, ERR_SYS, "TLS write to %s: %s", c->s->peer, why);
	}
	return stream_write(c->s, p, len, c->timeout_ms, e);
}

/* read_reply - one complete reply within the step deadline. */
static int read_reply(struct conn *c, struct smtp_reply *rep, struct err *e)
{
	long long deadline = stream_now_ms() + c->timeout_ms;
	char chunk[4096];

	for (;;) {
		size_t used = 0;
		int r = smtp_reply_parse(c->in.data ? c->in.data : "", c->in.len, rep, &used, e);
		ssize_t n;

		if (r < 0)
			return -1;
		if (r == 1) {
			for (size_t i = 0; i < rep->nlines; i++) {
				char line[TRANSCRIPT_LINE_MAX];

				snprintf(line, sizeof(line), "%d%c%s", rep->code,
					 i + 1 < rep->nlines ? '-' : ' ', rep->lines[i]);
				transcript_add(c->r, "S: ", line);
			}
			memmove(c->in.data, c->in.data + used, c->in.len - used);
			c->in.len -= used;
			c->in.data[c->in.len] = '\0';
			return 0;
		}
		n = conn_read(c, chunk, sizeof(chunk), deadline, e);
		if (n < 0) {
			if (e->code == ERR_TIMEOUT)
				err_set(e, ERR_TIMEOUT, "no complete reply from %s within %d ms%s",
					c->s->peer, c->timeout_ms,
					c->in.len ? " (partial line received)" : "");
			return -1;
		}
		if (n == 0)
			return err_set(e, ERR_SYS, "%s closed the connection%s", c->s->peer,
				       c->in.len ? " in the middle of a reply" : "");
		if (buf_append(&c->in, chunk, (size_t)n) < 0)
			return err_set(e, ERR_LIMIT, "reply from %s too long", c->s->peer);
	}
}

/* send_cmd - one command line; shown is what the transcript records. */
static int send_cmd(struct conn *c, const char *cmd, const char *shown, struct err *e)
{
	struct buf b = BUF_INIT;
	int r;

	if (buf_printf(&b, "%s\r\n", cmd) < 0)
		return err_set(e, ERR_NOMEM, "out of memory");
	transcript_add(c->r, "C: ", shown ? shown : cmd);
	r = conn_write(c, b.data, b.len, e);
	buf_wipe_free(&b);
	return r;
}

/* copy - bounded string copy that always terminates (truncates silently). */
static void copy(char *out, size_t outlen, const char *s)
{
	size_t n = strlen(s);

	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, s, n);
	out[n] = '\0';
}

/* reply_text - "code text" of a reply: the last line (where the status
 * usually is), preceded by the first when they differ. */
static void reply_text(const struct smtp_reply *rep, char *out, size_t outlen)
{
	char first[512], last[512];

	smtp_reply_line(rep, 0, first, sizeof(first));
	smtp_reply_line(rep, rep->nlines ? rep->nlines - 1 : 0, last, sizeof(last));
	if (rep->nlines > 1 && strcmp(first, last) != 0) {
		copy(out, outlen, first);
		if (strlen(out) + 3 < outlen) {
			strcat(out, " / ");
			copy(out + strlen(out), outlen - strlen(out), last);
		}
	} else {
		copy(out, outlen, last);
	}
}

/* ehlo_parse - capabilities from a 250 EHLO reply. */
static void ehlo_parse(const struct smtp_reply *rep, struct probe_ehlo *h)
{
	memset(h, 0, sizeof(*h));
	h->seen = 1;
	h->size = -1;
	for (size_t i = 1; i < rep->nlines; i++) {
		const char *l = rep->lines[i];
		size_t kw = strcspn(l, " =");

		if (kw == 4 && strncasecmp(l, "SIZE", 4) == 0)
			h->size = l[4] ? strtoll(l + 5, NULL, 10) : 0;
		else if (kw == 10 && strncasecmp(l, "PIPELINING", 10) == 0)
			h->pipelining = 1;
		else if (kw == 8 && strncasecmp(l, "8BITMIME", 8) == 0)
			h->eightbitmime = 1;
		else if (kw == 8 && strncasecmp(l, "SMTPUTF8", 8) == 0)
			h->smtputf8 = 1;
		else if (kw == 8 && strncasecmp(l, "STARTTLS", 8) == 0)
			h->starttls = 1;
		else if (kw == 8 && strncasecmp(l, "CHUNKING", 8) == 0)
			h->chunking = 1;
		else if (kw == 4 && strncasecmp(l, "AUTH", 4) == 0 && l[4] && !h->auth[0])
			snprintf(h->auth, sizeof(h->auth), "%s", l + 5);
	}
}

/* ehlo_summary - one line for the step detail. */
static void ehlo_summary(const struct probe_ehlo *h, char *out, size_t outlen)
{
	char size[32] = "";

	if (h->size >= 0)
		snprintf(size, sizeof(size), "SIZE=%lld", h->size);
	size_t n;

	snprintf(out, outlen, "%s%s%s%s%s%s%s%s%s", h->starttls ? "STARTTLS " : "",
		 h->auth[0] ? "AUTH=" : "", h->auth, h->auth[0] ? " " : "",
		 h->pipelining ? "PIPELINING " : "", h->eightbitmime ? "8BITMIME " : "",
		 h->smtputf8 ? "SMTPUTF8 " : "", h->chunking ? "CHUNKING " : "", size);
	n = strlen(out);
	while (n > 0 && out[n - 1] == ' ')
		out[--n] = '\0';
	if (n == 0)
		snprintf(out, outlen, "no extensions");
}

/* has_mech - is mechanism m in the space-separated list? */
static int has_mech(const char *list, const char *m)
{
	size_t n = strlen(m);

	for (const char *p = list; *p;) {
		size_t w;

		p += strspn(p, " \t");
		w = strcspn(p, " \t");
		if (w == n && strncasecmp(p, m, n) == 0)
			return 1;
		p += w;
	}
	return 0;
}

int probe_fingerprint(const char *digest, const unsigned char *data, size_t len, char *out,
		      size_t outlen, struct err *e)
{
	const EVP_MD *md = EVP_get_digestbyname(digest ? digest : "sha256");
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;

	if (md == NULL || (strcasecmp(digest ? digest : "sha256", "sha256") != 0 &&
			   strcasecmp(digest, "sha1") != 0 && strcasecmp(digest, "md5") != 0))
		return err_set(e, ERR_INVALID, "digest %s: use sha256, sha1 or md5", digest);
	if (EVP_Digest(data, len, d, &dlen, md, NULL) != 1)
		return err_set(e, ERR_INVALID, "digest %s: not available", digest);
	if (outlen < (size_t)dlen * 3)
		return err_set(e, ERR_LIMIT, "fingerprint buffer too small");
	for (unsigned int i = 0; i < dlen; i++)
		snprintf(out + i * 3, outlen - i * 3, "%02X%s", d[i], i + 1 < dlen ? ":" : "");
	return 0;
}

/* asn1_time_text - ISO 8601 UTC text of t, and its unix time. */
static void asn1_time_text(const ASN1_TIME *t, char *out, size_t outlen, time_t *when)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1) {
		snprintf(out, outlen, "?");
		*when = 0;
		return;
	}
	strftime(out, outlen, "%Y-%m-%dT%H:%M:%SZ", &tm);
	*when = timegm(&tm);
}

/* name_text - one-line RFC 2253 form of an X509_NAME. */
static void name_text(const X509_NAME *n, char *out, size_t outlen)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p;
	long len;

	out[0] = '\0';
	if (b == NULL)
		return;
	X509_NAME_print_ex(b, n, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
	len = BIO_get_mem_data(b, &p);
	if (len > 0)
		snprintf(out, outlen, "%.*s", (int)len, p);
	BIO_free(b);
}

/* cert_fill - describe one certificate. */
static void cert_fill(X509 *x, struct probe_cert *pc)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	EVP_PKEY *pk = X509_get0_pubkey(x);
	time_t nb, na;
	int nid;

	name_text(X509_get_subject_name(x), pc->subject, sizeof(pc->subject));
	name_text(X509_get_issuer_name(x), pc->issuer, sizeof(pc->issuer));
	asn1_time_text(X509_get0_notBefore(x), pc->not_before, sizeof(pc->not_before), &nb);
	asn1_time_text(X509_get0_notAfter(x), pc->not_after, sizeof(pc->not_after), &na);
	{
		long long secs = (long long)na - (long long)time(NULL);

		pc->days_left = (long)(secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400));
	}
	if (pk) {
		switch (EVP_PKEY_get_base_id(pk)) {
		case EVP_PKEY_RSA: snprintf(pc->key_type, sizeof(pc->key_type), "RSA"); break;
		case EVP_PKEY_EC: snprintf(pc->key_type, sizeof(pc->key_type), "EC"); break;
		case EVP_PKEY_ED25519:
			snprintf(pc->key_type, sizeof(pc->key_type), "ED25519");
			break;
		case EVP_PKEY_ED448: snprintf(pc->key_type, sizeof(pc->key_type), "ED448"); break;
		case EVP_PKEY_DSA: snprintf(pc->key_type, sizeof(pc->key_type), "DSA"); break;
		default: snprintf(pc->key_type, sizeof(pc->key_type), "other"); break;
		}
		pc->key_bits = EVP_PKEY_get_bits(pk);
	}
	nid = X509_get_signature_nid(x);
	snprintf(pc->signature, sizeof(pc->signature), "%s",
		 nid != NID_undef ? OBJ_nid2ln(nid) : "unknown");
	for (int i = 0; gens && i < sk_GENERAL_NAME_num(gens); i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		char tmp[300] = "", **ns;

		if (g->type == GEN_DNS) {
			const unsigned char *d = ASN1_STRING_get0_data(g->d.dNSName);
			int len = ASN1_STRING_length(g->d.dNSName);
			size_t n = (size_t)snprintf(tmp, sizeof(tmp), "DNS:");

			/* Kept as sent (front ends escape it), except a NUL, which
			 * would silently cut the name short: shown as \x00. */
			for (int k = 0; k < len && n + 5 < sizeof(tmp); k++) {
				if (d[k] == '\0') {
					memcpy(tmp + n, "\\x00", 4);
					n += 4;
				} else {
					tmp[n++] = (char)d[k];
				}
			}
			tmp[n] = '\0';
		} else if (g->type == GEN_IPADD) {
			const unsigned char *d = ASN1_STRING_get0_data(g->d.iPAddress);
			int len = ASN1_STRING_length(g->d.iPAddress);
			char a[INET6_ADDRSTRLEN] = "?";

			if (len == 4 || len == 16)
				inet_ntop(len == 4 ? AF_INET : AF_INET6, d, a, sizeof(a));
			snprintf(tmp, sizeof(tmp), "IP:%s", a);
		} else {
			continue;
		}
		if ((ns = realloc(pc->sans, (pc->nsans + 1) * sizeof(*ns))) == NULL)
			break;
		pc->sans = ns;
		if ((ns[pc->nsans] = strdup(tmp)) != NULL)
			pc->nsans++;
	}
	GENERAL_NAMES_free(gens);
}

/* is_ip_literal - IPv4 or IPv6 address text. */
static int is_ip_literal(const char *s)
{
	unsigned char a[16];

	return inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1;
}

/* tls_start - handshake over c->s and record protocol, cipher, chain,
 * verification, host name and fingerprints. 0 when the handshake ran. */
static int tls_start(struct conn *c, const struct probe_opts *o, const char *name)
{
	struct probe_result *r = c->r;
	struct probe_tls *tls = &r->tls;
	long long t0 = stream_now_ms();
	STACK_OF(X509) *chain;
	X509 *leaf;
	unsigned char *der = NULL;
	char why[512];
	long vr;
	int len;

	c->ctx = SSL_CTX_new(TLS_client_method());
	if (c->ctx == NULL) {
		ssl_error_text(c, why, sizeof(why));
		return step_add(r, "handshake", 0, t0, "TLS setup: %s", why), -1;
	}
	/* Verification runs but never stops the handshake: the probe reports it. */
	SSL_CTX_set_verify(c->ctx, SSL_VERIFY_NONE, NULL);
	if (c->store_err[0]) {
		return step_add(r, "handshake", 0, t0, "CA %s", c->store_err), -1;
	} else if (c->store) {
		SSL_CTX_set_cert_store(c->ctx, c->store);	/* the context owns it now */
		c->store = NULL;
	} else if (o->ca_file || o->ca_path) {
		if (SSL_CTX_load_verify_locations(c->ctx, o->ca_file, o->ca_path) != 1) {
			ssl_error_text(c, why, sizeof(why));
			return step_add(r, "handshake", 0, t0, "CA %s: %s",
					o->ca_file ? o->ca_file : o->ca_path, why), -1;
		}
	} else {
		SSL_CTX_set_default_verify_paths(c->ctx);
	}
	if ((c->ssl = SSL_new(c->ctx)) == NULL || (c->bio = stream_bio_new(c->s)) == NULL) {
		ssl_error_text(c, why, sizeof(why));
		return step_add(r, "handshake", 0, t0, "TLS setup: %s", why), -1;
	}
	SSL_set_bio(c->ssl, c->bio, c->bio);
	if (!is_ip_literal(name))
		SSL_set_tlsext_host_name(c->ssl, name);
	stream_bio_set_deadline(c->bio, stream_now_ms() + c->timeout_ms);
	if (SSL_connect(c->ssl) != 1) {
		int lost = stream_bio_error(c->bio)->code != ERR_OK;
		int timeout = stream_bio_error(c->bio)->code == ERR_TIMEOUT;

		ssl_error_text(c, why, sizeof(why));
		if (timeout)
			return step_add(r, "handshake", 0, t0, "the server stopped answering "
					"during the TLS handshake (%s)", why), -1;
		if (lost)
			return step_add(r, "handshake", 0, t0, "connection lost during the TLS "
					"handshake (%s)", why), -1;
		return step_add(r, "handshake", 0, t0, "TLS handshake failed: %s%s", why,
				strstr(why, "wrong version number") ? " (the server does not speak "
				"TLS here: plain SMTP? try --tls starttls)" : ""), -1;
	}
	tls->done = 1;
	snprintf(tls->protocol, sizeof(tls->protocol), "%s", SSL_get_version(c->ssl));
	snprintf(tls->cipher, sizeof(tls->cipher), "%s",
		 SSL_CIPHER_get_name(SSL_get_current_cipher(c->ssl)));
	step_add(r, "handshake", 1, t0, "%s %s%s%s", tls->protocol, tls->cipher,
		 is_ip_literal(name) ? "" : ", SNI ", is_ip_literal(name) ? "" : name);

	chain = SSL_get_peer_cert_chain(c->ssl);
	leaf = SSL_get1_peer_certificate(c->ssl);
	if (leaf == NULL) {
		step_add(r, "verify", 0, -1, "the server sent no certificate");
		return 0;
	}
	if (chain && sk_X509_num(chain) > 0) {
		tls->chain = calloc((size_t)sk_X509_num(chain), sizeof(*tls->chain));
		for (int i = 0; tls->chain && i < sk_X509_num(chain); i++)
			cert_fill(sk_X509_value(chain, i), &tls->chain[tls->nchain++]);
	}
	/* Fingerprints as Postfix computes them: the certificate's DER, and
	 * the DER SubjectPublicKeyInfo. */
	len = i2d_X509(leaf, &der);
	if (len > 0) {
		struct err fe;

		probe_fingerprint("sha256", der, (size_t)len, tls->cert_sha256,
				  sizeof(tls->cert_sha256), &fe);
		if (o->digest && strcasecmp(o->digest, "sha256") != 0)
			probe_fingerprint(o->digest, der, (size_t)len, tls->cert_fp,
					  sizeof(tls->cert_fp), &fe);
		OPENSSL_free(der);
	}
	der = NULL;
	len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(leaf), &der);
	if (len > 0) {
		struct err fe;

		probe_fingerprint("sha256", der, (size_t)len, tls->pubkey_sha256,
				  sizeof(tls->pubkey_sha256), &fe);
		if (o->digest && strcasecmp(o->digest, "sha256") != 0) {
			probe_fingerprint(o->digest, der, (size_t)len, tls->pubkey_fp,
					  sizeof(tls->pubkey_fp), &fe);
			snprintf(tls->digest, sizeof(tls->digest), "%s", o->digest);
		}
		OPENSSL_free(der);
	}

	vr = SSL_get_verify_result(c->ssl);
	tls->verified = vr == X509_V_OK;
	if (!tls->verified)
		snprintf(tls->verify_error, sizeof(tls->verify_error), "%s",
			 X509_verify_cert_error_string(vr));
	if (tls->verified)
		step_add(r, "verify", 1, -1, "chain verified against %s",
			 o->ca_file ? o->ca_file : o->ca_path ? o->ca_path : "the system store");
	else
		step_add(r, "verify", 0, -1, "%s", tls->verify_error);

	if (is_ip_literal(name))
		tls->hostname_match = X509_check_ip_asc(leaf, name, 0) == 1;
	else
		/* As Postfix matches: "f*.example.com" is not a wildcard. */
		tls->hostname_match = X509_check_host(leaf, name, 0,
						      X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS,
						      NULL) == 1;
	if (tls->hostname_match) {
		step_add(r, "hostname", 1, -1, "certificate matches %s", name);
	} else {
		char names[400] = "";
		size_t n = 0;

		size_t nsans = tls->nchain ? tls->chain[0].nsans : 0;

		for (size_t i = 0; i < nsans && n + 2 < sizeof(names); i++)
			n += (size_t)snprintf(names + n, sizeof(names) - n, "%s%s", i ? ", " : "",
					      tls->chain[0].sans[i]);
		step_add(r, "hostname", 0, -1, "certificate does not match %s (%s%s)", name,
			 names[0] ? "names: " : "subject: ",
			 names[0] ? names : tls->nchain ? tls->chain[0].subject : "?");
	}
	X509_free(leaf);
	return 0;
}

/* do_ehlo - EHLO and its capabilities. */
static int do_ehlo(struct conn *c, const char *helo, struct probe_ehlo *h, const char *stepname)
{
	struct smtp_reply rep = { 0 };
	long long t0 = stream_now_ms();
	char cmd[300], text[600], caps[400];
	struct err e;

	snprintf(cmd, sizeof(cmd), "EHLO %s", helo);
	if (send_cmd(c, cmd, NULL, &e) < 0 || read_reply(c, &rep, &e) < 0)
		return step_add(c->r, stepname, 0, t0, "%s", e.msg), -1;
	if (rep.code != 250) {
		reply_text(&rep, text, sizeof(text));
		smtp_reply_free(&rep);
		return step_add(c->r, stepname, 0, t0, "EHLO refused: %s", text), -1;
	}
	ehlo_parse(&rep, h);
	smtp_reply_free(&rep);
	ehlo_summary(h, caps, sizeof(caps));
	step_add(c->r, stepname, 1, t0, "%s", caps);
	return 0;
}

/* b64 - base64 of p[0..len) into a malloc'd string. */
static char *b64(const void *p, size_t len)
{
	char *out = malloc(4 * ((len + 2) / 3) + 1);

	if (out)
		EVP_EncodeBlock((unsigned char *)out, p, (int)len);
	return out;
}

const char *probe_auth_hint(int code, const char *enh, const char *text, const char *host)
{
	char h[256];
	int o365, gmail;

	snprintf(h, sizeof(h), "%s", host ? host : "");
	for (char *p = h; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	o365 = strstr(h, "office365") || strstr(h, "outlook.") || strstr(h, "microsoft");
	gmail = strstr(h, "gmail") || strstr(h, "google");
	enh = enh ? enh : "";
	text = text ? text : "";
	if (code == 235)
		return NULL;
	if (code == 530 && (strcmp(enh, "5.7.0") == 0 || strcasestr(text, "STARTTLS")))
		return "the server wants STARTTLS before AUTH "
		       "(use TLS: smtp_tls_security_level = encrypt)";
	if (code == 454 && strcasestr(text, "TLS"))
		return "TLS not available: the server could not start TLS; "
		       "try later or ask the provider";
	if (code == 454)
		return "temporary authentication failure on the server side; try again later";
	if (code == 534 && strcmp(enh, "5.7.9") == 0)
		return "application-specific password required: the account uses 2-step "
		       "verification; create an app password";
	if (code == 534 && strcmp(enh, "5.7.14") == 0)
		return "the provider wants an interactive sign-in first (web browser), "
		       "or an app password";
	if (code == 535 && strcmp(enh, "5.7.3") == 0 && (o365 || strcasestr(text, "unsuccessful")))
		return "Office 365: SMTP AUTH is disabled for this mailbox or by security defaults "
		       "(enable Authenticated SMTP for it), or the password is wrong";
	if (code == 535 && strcmp(enh, "5.7.8") == 0 &&
	    (gmail || strcasestr(text, "BadCredentials")))
		return "Gmail: user name and password not accepted; an app password is needed "
		       "(2-step verification)";
	if (code == 535)
		return "wrong user name or password";
	if (code == 538)
		return "the mechanism needs encryption: authenticate inside TLS";
	if (code == 504)
		return "the server does not support this mechanism";
	if (code == 550 || code == 554 || (code == 535 && strcasestr(text, "IP")))
		return "the server refuses this client: the sending IP address may not be allowed";
	if (code == 503)
		return "AUTH out of sequence (already authenticated, or AUTH not enabled here)";
	if (code / 100 == 4)
		return "temporary failure; try again later";
	return NULL;
}

/* auth_fail - record a failed AUTH with the server's reply and a hint. */
static void auth_fail(struct conn *c, const char *host, const struct smtp_reply *rep,
		      long long t0)
{
	struct probe_auth *a = &c->r->auth;
	const char *hint;

	reply_text(rep, a->reply, sizeof(a->reply));
	hint = probe_auth_hint(rep->code, rep->enhanced, a->reply, host);
	snprintf(a->hint, sizeof(a->hint), "%s", hint ? hint : "");
	step_add(c->r, "auth", 0, t0, "%s %s%s%s", a->mechanism, a->reply, hint ? " — " : "",
		 hint ? hint : "");
}

/* do_auth - AUTH PLAIN (preferred) or LOGIN with the given credential. */
static void do_auth(struct conn *c, const struct probe_opts *o, const char *mechs)
{
	struct probe_auth *a = &c->r->auth;
	struct smtp_reply rep = { 0 };
	long long t0 = stream_now_ms();
	struct buf raw = BUF_INIT, cmd = BUF_INIT;
	char *enc = NULL;
	struct err e;

	a->tried = 1;
	snprintf(a->mechanisms, sizeof(a->mechanisms), "%s", mechs);
	a->xoauth2 = has_mech(mechs, "XOAUTH2");
	if (!mechs[0]) {
		step_add(c->r, "auth", 0, t0, "the server offers no AUTH%s",
			 c->r->tls.done ? "" : " (many servers offer it only after STARTTLS)");
		return;
	}
	if (o->user == NULL || o->password == NULL) {
		step_add(c->r, "auth", 0, t0, "no credential");
		return;
	}
	if (has_mech(mechs, "PLAIN")) {
		snprintf(a->mechanism, sizeof(a->mechanism), "PLAIN");
		buf_putc(&raw, '\0');
		buf_puts(&raw, o->user);
		buf_putc(&raw, '\0');
		buf_puts(&raw, o->password);
		enc = b64(raw.data, raw.len);
		if (enc == NULL || buf_printf(&cmd, "AUTH PLAIN %s", enc) < 0 ||
		    send_cmd(c, cmd.data, "AUTH PLAIN ********", &e) < 0 ||
		    read_reply(c, &rep, &e) < 0) {
			step_add(c->r, "auth", 0, t0, "PLAIN: %s", enc ? e.msg : "out of memory");
			goto out;
		}
	} else if (has_mech(mechs, "LOGIN")) {
		snprintf(a->mechanism, sizeof(a->mechanism), "LOGIN");
		if (send_cmd(c, "AUTH LOGIN", NULL, &e) < 0 || read_reply(c, &rep, &e) < 0) {
			step_add(c->r, "auth", 0, t0, "LOGIN: %s", e.msg);
			goto out;
		}
		if (rep.code != 334)
			goto done;
		smtp_reply_free(&rep);
		enc = b64(o->user, strlen(o->user));
		if (enc == NULL || send_cmd(c, enc, NULL, &e) < 0 || read_reply(c, &rep, &e) < 0) {
			step_add(c->r, "auth", 0, t0, "LOGIN: %s", enc ? e.msg : "out of memory");
			goto out;
		}
		if (rep.code != 334)
			goto done;
		smtp_reply_free(&rep);
		free(enc);
		enc = b64(o->password, strlen(o->password));
		if (enc == NULL || send_cmd(c, enc, "********", &e) < 0 ||
		    read_reply(c, &rep, &e) < 0) {
			step_add(c->r, "auth", 0, t0, "LOGIN: %s", enc ? e.msg : "out of memory");
			goto out;
		}
	} else {
		step_add(c->r, "auth", 0, t0, "neither PLAIN nor LOGIN offered (offered: %s)%s",
			 mechs, a->xoauth2 ? "; XOAUTH2 needs an OAuth token, which Postfix "
			 "cannot use with a password" : "");
		goto out;
	}
done:
	if (rep.code == 235) {
		a->ok = 1;
		reply_text(&rep, a->reply, sizeof(a->reply));
		step_add(c->r, "auth", 1, t0, "%s as %s: %s", a->mechanism, o->user, a->reply);
	} else {
		auth_fail(c, o->servername ? o->servername : o->host, &rep, t0);
	}
out:
	smtp_reply_free(&rep);
	if (enc) {
		OPENSSL_cleanse(enc, strlen(enc));
		free(enc);
	}
	buf_wipe_free(&raw);
	buf_wipe_free(&cmd);
}

/* banner - the 220 greeting. */
static int banner(struct conn *c)
{
	struct smtp_reply rep = { 0 };
	long long t0 = stream_now_ms();
	char text[600];
	struct err e;

	if (read_reply(c, &rep, &e) < 0)
		return step_add(c->r, "banner", 0, t0, "%s", e.msg), -1;
	reply_text(&rep, text, sizeof(text));
	smtp_reply_free(&rep);
	if (strncmp(text, "220", 3) != 0)
		return step_add(c->r, "banner", 0, t0, "not a greeting: %s", text), -1;
	step_add(c->r, "banner", 1, t0, "%s", text);
	return 0;
}

/* starttls - STARTTLS command and its 220. */
static int starttls(struct conn *c, const struct probe_ehlo *h)
{
	struct smtp_reply rep = { 0 };
	long long t0 = stream_now_ms();
	char text[600];
	struct err e;
	const char *hint;

	if (!h->starttls)
		return step_add(c->r, "starttls", 0, t0, "the server does not offer STARTTLS"), -1;
	if (send_cmd(c, "STARTTLS", NULL, &e) < 0 || read_reply(c, &rep, &e) < 0)
		return step_add(c->r, "starttls", 0, t0, "%s", e.msg), -1;
	reply_text(&rep, text, sizeof(text));
	if (rep.code != 220) {
		hint = rep.code == 454 ? " — TLS not available on the server right now" : "";
		smtp_reply_free(&rep);
		return step_add(c->r, "starttls", 0, t0, "%s%s", text, hint), -1;
	}
	smtp_reply_free(&rep);
	if (c->in.len > 0)	/* bytes before the handshake: a response-injection attempt */
		return step_add(c->r, "starttls", 0, t0, "the server sent data after 220 "
				"STARTTLS (refused: could be injected)"), -1;
	step_add(c->r, "starttls", 1, t0, "%s", text);
	return 0;
}

/* auth_trust - may the password go to this peer? 1 trusted, 2 not
 * trusted but allowed (insecure_auth), 0 held back; reason says why the
 * certificate is not trusted. */
static int auth_trust(const struct probe_result *r, const struct probe_opts *o, const char *name,
		      char *reason, size_t len)
{
	const struct probe_tls *t = &r->tls;
	const char *chain = t->verify_error[0] ? t->verify_error : "chain not verified";
	size_t n;

	reason[0] = '\0';
	if (t->done && t->verified && t->hostname_match)
		return 1;
	if (t->done && o->tls_policy && probe_pin_matches(r, o->tls_policy, o->digest))
		return 1;
	if (!t->done)
		snprintf(reason, len, "no TLS");
	else if (!t->verified && !t->hostname_match)
		snprintf(reason, len, "%s; does not match %s", chain, name);
	else if (!t->verified)
		snprintf(reason, len, "%s", chain);
	else
		snprintf(reason, len, "does not match %s", name);
	if (!o->insecure_auth || !t->done)
		return 0;
	if (o->insecure_cert == NULL || strcasecmp(o->insecure_cert, t->cert_sha256) == 0)
		return 2;
	n = strlen(reason);
	snprintf(reason + n, len - n, "; and it is not the certificate accepted (sha256 %s)",
		 o->insecure_cert);
	return 0;
}

/* auth_hold - the auth step when the password stays here. */
static void auth_hold(struct conn *c, const char *mechs, const char *reason)
{
	struct probe_auth *a = &c->r->auth;

	snprintf(a->mechanisms, sizeof(a->mechanisms), "%s", mechs);
	a->xoauth2 = has_mech(mechs, "XOAUTH2");
	a->not_sent = 1;
	snprintf(a->not_sent_reason, sizeof(a->not_sent_reason), "certificate not trusted (%s)",
		 reason);
	step_add(c->r, "auth", 0, -1, "not sent: %s", a->not_sent_reason);
	c->r->steps[c->r->nsteps - 1].not_sent = 1;
}

/* store_add_pem - every certificate and CRL in PEM bytes into st; the count added. */
static int store_add_pem(X509_STORE *st, const struct buf *pem)
{
	BIO *b = BIO_new_mem_buf(pem->data ? pem->data : "", (int)pem->len);
	STACK_OF(X509_INFO) *infos = b ? PEM_X509_INFO_read_bio(b, NULL, NULL, NULL) : NULL;
	int n = 0;

	for (int i = 0; infos && i < sk_X509_INFO_num(infos); i++) {
		X509_INFO *xi = sk_X509_INFO_value(infos, i);

		if (xi->x509 && X509_STORE_add_cert(st, xi->x509) == 1)
			n++;
		if (xi->crl && X509_STORE_add_crl(st, xi->crl) == 1)
			n++;
	}
	sk_X509_INFO_pop_free(infos, X509_INFO_free);
	BIO_free(b);
	ERR_clear_error();
	return n;
}

/* is_hash_name - OpenSSL's CApath names: 8 hex digits, '.', optional 'r', digits. */
static int is_hash_name(const char *n)
{
	size_t i = 0;

	for (; i < 8; i++)
		if (!isxdigit((unsigned char)n[i]))
			return 0;
	if (n[i++] != '.')
		return 0;
	if (n[i] == 'r')
		i++;
	if (!isdigit((unsigned char)n[i]))
		return 0;
	while (isdigit((unsigned char)n[i]))
		i++;
	return n[i] == '\0';
}

/* store_from_target - the CA file and directory, read through the target
 * (they are files on the managed host) and loaded from memory. A CApath
 * is read as OpenSSL reads one: only its hash-named entries. On failure
 * why says what could not be read and the store is NULL. */
static X509_STORE *store_from_target(struct target *t, const char *file, const char *dir,
				     char *why, size_t whylen)
{
	X509_STORE *st = X509_STORE_new();
	struct buf pem = BUF_INIT;
	struct err e;

	why[0] = '\0';
	if (st == NULL) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	if (file) {
		if (target_read(t, file, &pem, &e) < 0) {
			snprintf(why, whylen, "%.100s on %.80s: %.100s", file, t->name, e.msg);
			goto fail;
		}
		if (store_add_pem(st, &pem) == 0) {
			snprintf(why, whylen, "%s on %s: no PEM certificate in it", file, t->name);
			goto fail;
		}
	}
	if (dir) {
		char **names = NULL;
		size_t n = 0;

		if (t->ops->list_dir(t, dir, &names, &n, &e) < 0) {
			snprintf(why, whylen, "%.100s on %.80s: %.100s", dir, t->name, e.msg);
			goto fail;
		}
		for (size_t i = 0; i < n; i++) {
			char *path;

			if (!is_hash_name(names[i]))
				continue;
			if (asprintf(&path, "%s/%s", dir, names[i]) < 0)
				break;
			/* An unreadable entry is skipped, as OpenSSL's lookup skips it. */
			if (target_read(t, path, &pem, &e) == 0)
				store_add_pem(st, &pem);
			free(path);
		}
		target_names_free(names, n);
	}
	buf_free(&pem);
	return st;
fail:
	buf_free(&pem);
	X509_STORE_free(st);
	return NULL;
}

/* connect_target - the connection from the target's own network position. */
static int connect_target(struct conn *c, const struct probe_opts *o)
{
	struct probe_result *r = c->r;
	long long t0 = stream_now_ms();
	struct err ce;

	if (target_connect(o->target, o->host, r->port, c->timeout_ms, &c->s, NULL, &ce) < 0) {
		step_add(r, "connect", 0, t0, "from %s: %s", o->target->name, ce.msg);
		return -1;
	}
	snprintf(r->from, sizeof(r->from), "%s", o->target->name);
	step_add(r, "connect", 1, t0, "%s from %s (%s)", c->s->peer, o->target->name,
		 c->s->ops->kind);
	return 0;
}

int probe_run(const struct probe_opts *o, struct probe_result *r, struct err *e)
{
	struct stream_connect_info info;
	struct conn c;
	const char *name = o->servername ? o->servername : o->host;
	const char *helo = o->helo_name ? o->helo_name : "relaydeck.invalid";
	long long t0;
	struct err ce;

	memset(r, 0, sizeof(*r));
	memset(&c, 0, sizeof(c));
	if (o->host == NULL || !o->host[0])
		return err_set(e, ERR_USAGE, "probe: no host");
	if (o->digest && probe_fingerprint(o->digest, (const unsigned char *)"", 0,
					   r->tls.cert_fp, sizeof(r->tls.cert_fp), e) < 0)
		return -1;
	r->tls.cert_fp[0] = '\0';
	snprintf(r->host, sizeof(r->host), "%s", o->host);
	snprintf(r->port, sizeof(r->port), "%s", o->port ? o->port : PROBE_PORT_DEFAULT);
	r->tls_mode = o->tls_mode;
	if (r->tls_mode == PROBE_TLS_AUTO)
		r->tls_mode = strcmp(r->port, "465") == 0 || strcmp(r->port, "2465") == 0 ?
			      PROBE_TLS_IMPLICIT : PROBE_TLS_STARTTLS;
	r->ok = 1;
	c.r = r;
	c.timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : PROBE_TIMEOUT_DEFAULT_MS;
	buf_init(&c.in, SMTP_REPLY_MAX + 8192);

	if (o->target && (o->ca_file || o->ca_path) &&
	    (c.store = store_from_target(o->target, o->ca_file, o->ca_path, c.store_err,
					 sizeof(c.store_err))) == NULL && !c.store_err[0])
		snprintf(c.store_err, sizeof(c.store_err), "cannot be loaded");
	if (o->stream) {
		c.s = o->stream;
		step_add(r, "connect", 1, -1, "%s (%s)", c.s->peer, c.s->ops->kind);
	} else if (o->target && !o->from_here && o->target->ops->connect) {
		if (connect_target(&c, o) < 0)
			goto done;
	} else {
		t0 = stream_now_ms();
		c.s = stream_tcp_connect(o->host, r->port, c.timeout_ms, &info, &ce);
		if (info.naddrs == 0 && c.s == NULL) {
			step_add(r, "resolve", 0, t0, "%s", ce.msg);
			goto done;
		} else {
			char list[400] = "";
			size_t n = 0;

			for (size_t i = 0; i < info.naddrs && n + 2 < sizeof(list); i++)
				n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s",
						      i ? ", " : "", info.addrs[i].addr);
			step_add(r, "resolve", 1, -1, "%s", list);
			r->steps[r->nsteps - 1].ms = info.resolve_ms;
		}
		if (c.s == NULL) {
			char list[600] = "";
			size_t n = 0;

			/* every address tried and why it failed */
			for (size_t i = 0; i < info.naddrs && n + 2 < sizeof(list); i++) {
				const struct stream_addr *sa = &info.addrs[i];

				n += (size_t)snprintf(list + n, sizeof(list) - n,
						      sa->family == 6 ? "%s[%s]:%s %s" :
						      "%s%s:%s %s", i ? "; " : "", sa->addr,
						      r->port, sa->error);
			}
			step_add(r, "connect", 0, t0, "%s", list[0] ? list : ce.msg);
			r->steps[r->nsteps - 1].ms -= info.resolve_ms;
			goto done;
		}
		step_add(r, "connect", 1, t0, "%s", c.s->peer);
		r->steps[r->nsteps - 1].ms -= info.resolve_ms;
	}

	if (r->tls_mode == PROBE_TLS_IMPLICIT && tls_start(&c, o, name) < 0)
		goto done;
	if (banner(&c) < 0 || do_ehlo(&c, helo, &r->ehlo_before, "ehlo") < 0)
		goto done;
	if (r->tls_mode == PROBE_TLS_STARTTLS) {
		if (starttls(&c, &r->ehlo_before) < 0 || tls_start(&c, o, name) < 0)
			goto done;
		if (do_ehlo(&c, helo, &r->ehlo_after, "ehlo-tls") < 0)
			goto done;
	}
	if (o->auth) {
		const char *mechs = r->tls.done && r->tls_mode == PROBE_TLS_STARTTLS ?
				    r->ehlo_after.auth : r->ehlo_before.auth;
		char why[400];
		int trust = auth_trust(r, o, name, why, sizeof(why));

		if (trust == 0) {
			auth_hold(&c, mechs, why);
		} else {
			do_auth(&c, o, mechs);
			if (trust == 2 && r->auth.mechanism[0]) {
				struct probe_step *st = &r->steps[r->nsteps - 1];
				size_t l = strlen(st->detail);

				r->auth.insecure = 1;
				snprintf(st->detail + l, sizeof(st->detail) - l,
					 " (sent over a certificate that is not trusted: %s)", why);
			}
		}
	}
	if (!o->auth) {
		const char *m = r->tls_mode == PROBE_TLS_STARTTLS ? r->ehlo_after.auth :
				r->ehlo_before.auth;

		snprintf(r->auth.mechanisms, sizeof(r->auth.mechanisms), "%s", m);
		r->auth.xoauth2 = has_mech(m, "XOAUTH2");
	}
	/* A polite QUIT; its outcome does not change the verdict. */
	{
		struct smtp_reply rep = { 0 };
		int saved = c.timeout_ms;

		c.timeout_ms = saved < 2000 ? saved : 2000;
		if (send_cmd(&c, "QUIT", NULL, &ce) == 0)
			read_reply(&c, &rep, &ce);
		smtp_reply_free(&rep);
		c.timeout_ms = saved;
	}
done:
	if (c.ssl) {
		SSL_free(c.ssl);	/* frees the BIO too */
	} else if (c.bio) {
		BIO_free(c.bio);
	}
	SSL_CTX_free(c.ctx);
	X509_STORE_free(c.store);
	if (c.s && c.s != o->stream)
		stream_close(c.s);
	buf_free(&c.in);
	ERR_clear_error();
	return r->ok ? 0 : 1;
}

void probe_result_free(struct probe_result *r)
{
	for (size_t i = 0; i < r->tls.nchain; i++) {
		for (size_t k = 0; k < r->tls.chain[i].nsans; k++)
			free(r->tls.chain[i].sans[k]);
		free(r->tls.chain[i].sans);
	}
	free(r->tls.chain);
	for (size_t i = 0; i < r->ntranscript; i++)
		free(r->transcript[i]);
	free(r->transcript);
	free(r->steps);
	memset(r, 0, sizeof(*r));
}

/* json_mechs - a space-separated mechanism list as a JSON array. */
static void json_mechs(struct json *j, const char *list)
{
	json_arr_begin(j);
	for (const char *p = list; *p;) {
		char m[64];
		size_t w;

		p += strspn(p, " \t");
		w = strcspn(p, " \t");
		if (w == 0)
			break;
		snprintf(m, sizeof(m), "%.*s", (int)(w < sizeof(m) ? w : sizeof(m) - 1), p);
		json_str(j, m);
		p += w;
	}
	json_arr_end(j);
}

/* json_ehlo - one EHLO capability object (null when not seen). */
static void json_ehlo(struct json *j, const char *key, const struct probe_ehlo *h)
{
	json_key(j, key);
	if (!h->seen) {
		json_null(j);
		return;
	}
	json_obj_begin(j);
	if (h->size >= 0)
		json_kv_int(j, "size", h->size);
	else {
		json_key(j, "size");
		json_null(j);
	}
	json_kv_bool(j, "pipelining", h->pipelining);
	json_kv_bool(j, "8bitmime", h->eightbitmime);
	json_kv_bool(j, "smtputf8", h->smtputf8);
	json_kv_bool(j, "starttls", h->starttls);
	json_kv_bool(j, "chunking", h->chunking);
	json_key(j, "auth");
	json_mechs(j, h->auth);
	json_obj_end(j);
}

void probe_json(const struct probe_result *r, struct buf *out)
{
	const struct probe_tls *t = &r->tls;
	struct json j;
	char key[32];

	json_init(&j, out);
	json_obj_begin(&j);
	json_kv_str(&j, "server", r->host);	/* the smart host; "host" is the relay in a fleet */
	json_kv_int(&j, "port", atoi(r->port));
	json_kv_str(&j, "from", r->from[0] ? r->from : NULL);
	json_kv_str(&j, "tls_mode", r->tls_mode == PROBE_TLS_IMPLICIT ? "implicit" : "starttls");
	json_kv_bool(&j, "ok", r->ok);
	json_key(&j, "steps");
	json_arr_begin(&j);
	for (size_t i = 0; i < r->nsteps; i++) {
		json_obj_begin(&j);
		json_kv_str(&j, "name", r->steps[i].name);
		json_kv_bool(&j, "ok", r->steps[i].ok);
		json_kv_str(&j, "status", r->steps[i].not_sent ? "not_sent" :
			    r->steps[i].ok ? "ok" : "failed");
		json_kv_int(&j, "ms", r->steps[i].ms);
		json_kv_str(&j, "detail", r->steps[i].detail);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_key(&j, "ehlo");
	json_obj_begin(&j);
	json_ehlo(&j, "before_tls", &r->ehlo_before);
	json_ehlo(&j, "after_tls", &r->ehlo_after);
	json_obj_end(&j);
	json_key(&j, "tls");
	if (!t->done) {
		json_null(&j);
	} else {
		json_obj_begin(&j);
		json_kv_str(&j, "protocol", t->protocol);
		json_kv_str(&j, "cipher", t->cipher);
		json_kv_bool(&j, "verified", t->verified);
		json_kv_str(&j, "verify_error", t->verified ? NULL : t->verify_error);
		json_kv_bool(&j, "hostname_match", t->hostname_match);
		json_key(&j, "chain");
		json_arr_begin(&j);
		for (size_t i = 0; i < t->nchain; i++) {
			const struct probe_cert *pc = &t->chain[i];

			json_obj_begin(&j);
			json_kv_str(&j, "subject", pc->subject);
			json_kv_str(&j, "issuer", pc->issuer);
			json_key(&j, "sans");
			json_arr_begin(&j);
			for (size_t k = 0; k < pc->nsans; k++)
				json_str(&j, pc->sans[k]);
			json_arr_end(&j);
			json_kv_str(&j, "not_before", pc->not_before);
			json_kv_str(&j, "not_after", pc->not_after);
			json_kv_int(&j, "days_left", pc->days_left);
			json_kv_str(&j, "key_type", pc->key_type);
			json_kv_int(&j, "key_bits", pc->key_bits);
			json_kv_str(&j, "signature", pc->signature);
			json_obj_end(&j);
		}
		json_arr_end(&j);
		json_key(&j, "fingerprints");
		json_obj_begin(&j);
		json_kv_str(&j, "cert_sha256", t->cert_sha256);
		json_kv_str(&j, "pubkey_sha256", t->pubkey_sha256);
		if (t->digest[0]) {
			snprintf(key, sizeof(key), "cert_%s", t->digest);
			json_kv_str(&j, key, t->cert_fp);
			snprintf(key, sizeof(key), "pubkey_%s", t->digest);
			json_kv_str(&j, key, t->pubkey_fp);
		}
		json_obj_end(&j);
		json_obj_end(&j);
	}
	json_key(&j, "auth");
	json_obj_begin(&j);
	json_key(&j, "mechanisms");
	json_mechs(&j, r->auth.mechanisms);
	json_kv_bool(&j, "xoauth2", r->auth.xoauth2);
	json_kv_bool(&j, "tried", r->auth.tried);
	json_kv_bool(&j, "not_sent", r->auth.not_sent);
	json_kv_str(&j, "not_sent_reason", r->auth.not_sent ? r->auth.not_sent_reason : NULL);
	json_kv_bool(&j, "insecure", r->auth.insecure);
	json_kv_str(&j, "mechanism", r->auth.mechanism[0] ? r->auth.mechanism : NULL);
	json_kv_bool(&j, "ok", r->auth.ok);
	json_kv_str(&j, "reply", r->auth.reply[0] ? r->auth.reply : NULL);
	json_kv_str(&j, "hint", r->auth.hint[0] ? r->auth.hint : NULL);
	json_obj_end(&j);
	json_key(&j, "transcript");
	json_arr_begin(&j);
	for (size_t i = 0; i < r->ntranscript; i++)
		json_str(&j, r->transcript[i]);
	json_arr_end(&j);
	json_obj_end(&j);
}

int probe_parse_hostport(const char *s, const char *default_port, char *host, size_t hostlen,
			 char *port, size_t portlen, int *bracketed, struct err *e)
{
	const char *h = s, *p = NULL, *colon;
	size_t hl;
	int br = 0;

	if (s == NULL || !*s)
		return err_set(e, ERR_INVALID, "empty host");
	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (close == NULL)
			return err_set(e, ERR_INVALID, "%s: missing ']'", s);
		h = s + 1;
		hl = (size_t)(close - h);
		br = 1;
		if (close[1] == ':')
			p = close + 2;
		else if (close[1] != '\0')
			return err_set(e, ERR_INVALID, "%s: unexpected text after ']'", s);
	} else if ((colon = strchr(s, ':')) != NULL && strchr(colon + 1, ':') == NULL) {
		hl = (size_t)(colon - s);
		p = colon + 1;
	} else {
		hl = strlen(s);	/* a name, IPv4, or a bare IPv6 literal */
	}
	if (hl == 0 || hl >= hostlen)
		return err_set(e, ERR_INVALID, "%s: bad host", s);
	memcpy(host, h, hl);
	host[hl] = '\0';
	if (valid_hostname(host, e) < 0 && valid_ipv4(host, e) < 0 && valid_ipv6(host, e) < 0)
		return err_set(e, ERR_INVALID, "%s: not a host name or IP address", host);
	if (p != NULL && valid_port(p, e) < 0)
		return err_set(e, ERR_INVALID, "%s: bad port '%s'", s, p);
	if (snprintf(port, portlen, "%s", p ? p : default_port) >= (int)portlen)
		return err_set(e, ERR_INVALID, "%s: bad port", s);
	if (bracketed)
		*bracketed = br;
	err_clear(e);
	return 0;
}

/* map_query - `postmap -q key map` (a secret value stays on stdout); 1 found
 * (out has the value), 0 not, -1 error. */
static int map_query(struct target *t, const char *key, const char *map, struct run_out *out,
		      struct err *e)
{
	const char *argv[] = { "postmap", "-c", t->config_dir, "-q", key, map, NULL };

	if (target_run(t, argv, NULL, out, 30000, e) < 0)
		return -1;
	if (out->exit_code == 0)
		return 1;
	if (out->exit_code == 1)
		return 0;
	return err_set(e, ERR_RUN, "postmap -q %s %s: exit %d: %.200s", key, map, out->exit_code,
		       out->err.data ? out->err.data : "");
}

int probe_cred_lookup(struct target *t, const char *host, const char *port, struct buf *user,
		      struct buf *password, struct err *e)
{
	struct buf maps = BUF_INIT;
	char **items = NULL, key[300];
	size_t n = 0;
	int found = 0;

	if (postfix_expand(t, "smtp_sasl_password_maps", &maps, e) < 0)
		return -1;
	if (valid_list_split(maps.data ? maps.data : "", &items, &n, e) < 0) {
		buf_free(&maps);
		return -1;
	}
	buf_free(&maps);
	for (int k = 0; k < 2 && !found; k++) {
		if (k == 0)
			snprintf(key, sizeof(key), "[%s]:%s", host, port);
		else
			snprintf(key, sizeof(key), "%s", host);
		for (size_t i = 0; i < n && !found; i++) {
			struct run_out out;
			int r;

			run_out_init(&out);
			r = map_query(t, key, items[i], &out, e);
			if (r == 1) {
				char *v = out.out.data ? out.out.data : "";
				size_t vl = strcspn(v, "\r\n");
				char *colon = memchr(v, ':', vl);

				if (colon == NULL) {
					err_set(e, ERR_INVALID, "%s in %s: the value is not "
						"user:password", key, items[i]);
					r = -1;
				} else {
					buf_reset(user);
					buf_reset(password);
					buf_append(user, v, (size_t)(colon - v));
					buf_append(password, colon + 1,
						   vl - (size_t)(colon - v) - 1);
					found = 1;
				}
			}
			buf_wipe_free(&out.out);
			run_out_free(&out);
			if (r < 0) {
				valid_list_free(items);
				return -1;
			}
		}
	}
	valid_list_free(items);
	if (!found)
		return err_set(e, ERR_NOTFOUND, "no credential for [%s]:%s or %s in "
			       "smtp_sasl_password_maps", host, port, host);
	return 0;
}

/* fp_in_list - is fp one of the '|'- or ','-separated fingerprints in list? */
static int fp_in_list(const char *list, const char *fp)
{
	size_t n = strlen(fp);

	if (n == 0)
		return 0;
	for (const char *p = list; *p;) {
		size_t w = strcspn(p, "|, \t");

		if (w == n && strncasecmp(p, fp, n) == 0)
			return 1;
		p += w;
		p += strspn(p, "|, \t");
	}
	return 0;
}

int probe_policy_lookup(struct target *t, const char *host, const char *port, char *value,
			size_t valuelen, struct err *e)
{
	struct buf maps = BUF_INIT;
	char **items = NULL, key[300];
	size_t n = 0;
	int found = 0;

	value[0] = '\0';
	if (postfix_expand(t, "smtp_tls_policy_maps", &maps, e) < 0)
		return -1;
	if (maps.len == 0 || valid_list_split(maps.data, &items, &n, e) < 0) {
		buf_free(&maps);
		return maps.len == 0 ? 0 : -1;
	}
	buf_free(&maps);
	snprintf(key, sizeof(key), "[%s]:%s", host, port);
	for (size_t i = 0; i < n && !found; i++) {
		struct run_out out;
		int q;

		run_out_init(&out);
		q = map_query(t, key, items[i], &out, e);
		if (q == 1) {
			found = 1;
			snprintf(value, valuelen, "%.*s",
				 (int)strcspn(out.out.data ? out.out.data : "", "\r\n"),
				 out.out.data ? out.out.data : "");
		}
		run_out_free(&out);
		if (q < 0) {
			valid_list_free(items);
			return -1;
		}
	}
	valid_list_free(items);
	return found;
}

/* is_fingerprint_policy - "fingerprint" followed by a blank. */
static int is_fingerprint_policy(const char *v)
{
	return strncmp(v, "fingerprint", 11) == 0 && (v[11] == ' ' || v[11] == '\t');
}

int probe_pin_matches(const struct probe_result *r, const char *policy, const char *digest)
{
	const char *d = digest && *digest ? digest : "sha256";
	int sha256 = strcasecmp(d, "sha256") == 0;
	const char *cfp = sha256 ? r->tls.cert_sha256 : r->tls.cert_fp;
	const char *pfp = sha256 ? r->tls.pubkey_sha256 : r->tls.pubkey_fp;
	const char *m;

	if (policy == NULL || !r->tls.done || !is_fingerprint_policy(policy))
		return 0;
	for (m = policy + 11; (m = strstr(m, "match=")) != NULL;) {
		m += 6;
		if (fp_in_list(m, cfp) || fp_in_list(m, pfp))
			return 1;
	}
	return 0;
}

int probe_check_pin(struct target *t, struct probe_result *r, const char *digest,
		    struct err *e)
{
	char key[300], value[2048];
	const char *d = digest && *digest ? digest : "sha256";
	int sha256 = strcasecmp(d, "sha256") == 0, found;

	if (!r->tls.done)
		return 0;
	if ((found = probe_policy_lookup(t, r->host, r->port, value, sizeof(value), e)) <= 0)
		return found;
	snprintf(key, sizeof(key), "[%s]:%s", r->host, r->port);
	if (is_fingerprint_policy(value)) {
		if (probe_pin_matches(r, value, d)) {
			/* Postfix's fingerprint level ignores the chain and the name. */
			r->ok = 1;
			for (size_t i = 0; i < r->nsteps; i++) {
				struct probe_step *st = &r->steps[i];

				if (!st->ok && (strcmp(st->name, "verify") == 0 ||
						strcmp(st->name, "hostname") == 0)) {
					size_t l = strlen(st->detail);

					st->ok = 1;
					snprintf(st->detail + l, sizeof(st->detail) - l,
						 " (not needed: the fingerprint is pinned)");
				}
				r->ok &= st->ok;
			}
			step_add(r, "pin", 1, -1,
				 "%s: the certificate matches the pinned %s fingerprint", key, d);
		}
		else
			step_add(r, "pin", 0, -1, "%s is pinned (%s) but the server now presents "
				 "certificate %s, public key %s (%s): Postfix will defer mail to "
				 "it; the provider changed its certificate, re-check and re-pin",
				 key, value, sha256 ? r->tls.cert_sha256 : r->tls.cert_fp,
				 sha256 ? r->tls.pubkey_sha256 : r->tls.pubkey_fp, d);
		return 0;
	}
	if (strncmp(value, "secure", 6) == 0 || strncmp(value, "verify", 6) == 0 ||
	    strncmp(value, "dane-only", 9) == 0)
		step_add(r, "pin", r->tls.verified, -1, "%s policy \"%s\": the chain %s", key,
			 value, r->tls.verified ? "verifies" :
			 "does NOT verify, Postfix will defer mail");
	else
		step_add(r, "pin", 1, -1, "%s policy \"%s\"", key, value);
	return 0;
}

int probe_ca_defaults(struct target *t, char **ca_file, char **ca_path, struct err *e)
{
	struct buf v = BUF_INIT;

	*ca_file = *ca_path = NULL;
	if (postfix_expand(t, "smtp_tls_CAfile", &v, e) < 0)
		return -1;
	if (v.len)
		*ca_file = buf_steal(&v);
	buf_free(&v);
	if (postfix_expand(t, "smtp_tls_CApath", &v, e) < 0)
		return -1;
	if (v.len)
		*ca_path = buf_steal(&v);
	buf_free(&v);
	return 0;
}

int probe_policy_edit(const char *old, size_t len, const char *key, const char *value,
		      struct buf *out, struct err *e)
{
	size_t klen = strlen(key), off = 0;
	int placed = 0, skipping = 0;

	buf_reset(out);
	while (off < len) {
		const char *l = old + off, *nl = memchr(l, '\n', len - off);
		size_t ll = nl ? (size_t)(nl - l) + 1 : len - off;

		off += ll;
		if (skipping && ll > 1 && (l[0] == ' ' || l[0] == '\t'))
			continue;	/* continuation of the entry being replaced */
		skipping = 0;
		if (ll > klen && strncmp(l, key, klen) == 0 &&
		    (l[klen] == ' ' || l[klen] == '\t')) {
			skipping = 1;
			if (!placed && buf_printf(out, "%s %s\n", key, value) < 0)
				return err_set(e, ERR_NOMEM, "out of memory");
			placed = 1;
			continue;
		}
		if (buf_append(out, l, ll) < 0)
			return err_set(e, ERR_NOMEM, "out of memory");
	}
	if (!placed) {
		if (out->len && out->data[out->len - 1] != '\n' && buf_putc(out, '\n') < 0)
			return err_set(e, ERR_NOMEM, "out of memory");
		if (buf_printf(out, "%s %s\n", key, value) < 0)
			return err_set(e, ERR_NOMEM, "out of memory");
	}
	if (out->data == NULL && buf_puts(out, "") < 0)
		return err_set(e, ERR_NOMEM, "out of memory");
	return 0;
}
