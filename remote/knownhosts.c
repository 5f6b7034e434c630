/*
 * knownhosts - OpenSSH known_hosts lookups. See knownhosts.h.
 *
 * libssh2's own knownhost API (1.10) reads neither `@revoked` nor
 * negated patterns, and cannot say "changed" versus "unknown" per key
 * type with the file and line of the old key, so the format is read here.
 * HMAC-SHA1, SHA-256 and base64 come from OpenSSL.
 */
#include "config.h"
#include "knownhosts.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "buf.h"

void knownhosts_host_name(const char *host, int port, char *out, size_t outlen)
{
	size_t i;

	if (port > 0 && port != 22)
		snprintf(out, outlen, "[%s]:%d", host, port);
	else
		snprintf(out, outlen, "%s", host);
	for (i = 0; out[i]; i++)
		out[i] = (char)tolower((unsigned char)out[i]);
}

/* b64_decode - decode n base64 characters; returns the byte count or -1. */
static int b64_decode(const char *in, size_t n, unsigned char *out, size_t cap)
{
	int len, pad = 0;

	if (n == 0 || n % 4 != 0 || n / 4 * 3 > cap)
		return -1;
	len = EVP_DecodeBlock(out, (const unsigned char *)in, (int)n);
	if (len < 0)
		return -1;
	if (in[n - 1] == '=')
		pad++;
	if (in[n - 2] == '=')
		pad++;
	return len - pad;
}

void knownhosts_fingerprint(const unsigned char *blob, size_t len, char *out, size_t outlen)
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	unsigned char b64[64];
	int n;

	SHA256(blob, len, md);
	n = EVP_EncodeBlock(b64, md, sizeof(md));
	while (n > 0 && b64[n - 1] == '=')
		n--;
	snprintf(out, outlen, "SHA256:%.*s", n, (const char *)b64);
}

void knownhosts_blob_type(const unsigned char *blob, size_t len, char *out, size_t outlen)
{
	size_t n;

	out[0] = '\0';
	if (len < 4)
		return;
	n = (size_t)blob[0] << 24 | (size_t)blob[1] << 16 | (size_t)blob[2] << 8 | blob[3];
	if (n == 0 || n > len - 4 || n >= outlen)
		return;
	memcpy(out, blob + 4, n);
	out[n] = '\0';
}

/* match_glob - shell-style `*` and `?` over the whole string, case already folded. */
static int match_glob(const char *s, const char *p, size_t plen)
{
	const char *star_p = NULL, *star_s = NULL, *pe = p + plen;

	while (*s) {
		if (p < pe && (*p == '?' || *p == *s)) {
			p++;
			s++;
		} else if (p < pe && *p == '*') {
			star_p = ++p;
			star_s = s;
		} else if (star_p) {
			p = star_p;
			s = ++star_s;
		} else {
			return 0;
		}
	}
	while (p < pe && *p == '*')
		p++;
	return p == pe;
}

int knownhosts_match_hostname(const char *name, const char *patterns)
{
	char lname[1024];
	const char *p = patterns;
	int got = 0;
	size_t i;

	for (i = 0; name[i] && i + 1 < sizeof(lname); i++)
		lname[i] = (char)tolower((unsigned char)name[i]);
	lname[i] = '\0';
	while (*p) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		int neg = n > 0 && *p == '!';
		char pat[1024];

		if (n - (size_t)neg < sizeof(pat)) {
			for (i = 0; i < n - (size_t)neg; i++)
				pat[i] = (char)tolower((unsigned char)p[neg + i]);
			if (match_glob(lname, pat, n - (size_t)neg)) {
				if (neg)
					return 0;	/* a negated match vetoes the line */
				got = 1;
			}
		}
		p += n + (comma != NULL);
	}
	return got;
}

/* match_hashed - "|1|salt|hash": HMAC-SHA1(salt, name) == hash. */
static int match_hashed(const char *name, const char *field)
{
	unsigned char salt[64], hash[64], mac[EVP_MAX_MD_SIZE];
	const char *s = field + 3, *bar = strchr(s, '|');
	unsigned int maclen = 0;
	int slen, hlen;

	if (bar == NULL)
		return 0;
	slen = b64_decode(s, (size_t)(bar - s), salt, sizeof(salt));
	hlen = b64_decode(bar + 1, strlen(bar + 1), hash, sizeof(hash));
	if (slen != SHA_DIGEST_LENGTH || hlen != SHA_DIGEST_LENGTH)
		return 0;
	if (HMAC(EVP_sha1(), salt, slen, (const unsigned char *)name, strlen(name), mac,
		 &maclen) == NULL || maclen != SHA_DIGEST_LENGTH)
		return 0;
	return memcmp(mac, hash, SHA_DIGEST_LENGTH) == 0;
}

enum marker { MARK_NONE, MARK_REVOKED, MARK_CA, MARK_BAD };

struct kh_line {
	enum marker marker;
	char *hosts;
	char *type;
	char *key;	/* base64 */
};

/* split_line - cut a known_hosts line into its fields in place; 0 when it
 * is not an entry (blank, comment, malformed). */
static int split_line(char *l, struct kh_line *out)
{
	char *f[4];
	int n = 0;

	l[strcspn(l, "\r\n")] = '\0';
	while (*l == ' ' || *l == '\t')
		l++;
	if (*l == '\0' || *l == '#')
		return 0;
	while (n < 4 && *l) {
		f[n++] = l;
		l += strcspn(l, " \t");
		if (*l)
			*l++ = '\0';
		while (*l == ' ' || *l == '\t')
			l++;
	}
	out->marker = MARK_NONE;
	if (n >= 1 && f[0][0] == '@') {
		if (strcmp(f[0], "@revoked") == 0)
			out->marker = MARK_REVOKED;
		else if (strcmp(f[0], "@cert-authority") == 0)
			out->marker = MARK_CA;
		else
			out->marker = MARK_BAD;
		if (n < 4)
			return 0;
		out->hosts = f[1];
		out->type = f[2];
		out->key = f[3];
		out->key[strcspn(out->key, " \t")] = '\0';
		return 1;
	}
	if (n < 3)
		return 0;
	out->hosts = f[0];
	out->type = f[1];
	out->key = f[2];
	return 1;
}

static int host_matches(const char *name, const char *hosts)
{
	if (strncmp(hosts, "|1|", 3) == 0)
		return match_hashed(name, hosts);
	return knownhosts_match_hostname(name, hosts);
}

/* add_type - append type to a comma list unless present. */
static void add_type(char *list, size_t cap, const char *type)
{
	size_t tl = strlen(type);
	const char *p = list;

	while ((p = strstr(p, type)) != NULL) {
		if ((p == list || p[-1] == ',') && (p[tl] == ',' || p[tl] == '\0'))
			return;
		p += tl;
	}
	if (strlen(list) + tl + 2 > cap)
		return;
	if (*list)
		strcat(list, ",");
	strcat(list, type);
}

/* scan - one pass over every file; cb sees each entry that names the host. */
static int scan(const char *const *files, size_t nfiles, const char *name,
		int (*cb)(void *, const char *, int, const struct kh_line *), void *arg,
		struct err *e)
{
	char *line = NULL;
	size_t cap = 0;

	for (size_t i = 0; i < nfiles; i++) {
		FILE *fp = fopen(files[i], "re");
		int lineno = 0;

		if (fp == NULL) {
			if (errno == ENOENT || errno == ENOTDIR)
				continue;
			free(line);
			if (e)
				return err_sys(e, "known hosts file %s", files[i]);
			return -1;
		}
		while (getline(&line, &cap, fp) > 0) {
			struct kh_line kl;

			lineno++;
			if (!split_line(line, &kl) || kl.marker == MARK_BAD)
				continue;
			if (!host_matches(name, kl.hosts))
				continue;
			if (cb(arg, files[i], lineno, &kl)) {
				fclose(fp);
				free(line);
				return 1;
			}
		}
		fclose(fp);
	}
	free(line);
	return 0;
}

struct check_ctx {
	const unsigned char *blob;
	size_t bloblen;
	char type[64];
	struct kh_result *r;
	char changed_file[512];
	int changed_line;
	char match_file[512];
	int match_line;
	int revoked;
};

static int key_equals(const struct check_ctx *c, const char *b64)
{
	unsigned char *k;
	size_t n = strlen(b64);
	int len, eq;

	if (n / 4 * 3 < c->bloblen || n > 65536)
		return 0;
	k = malloc(n / 4 * 3 + 3);
	if (k == NULL)
		return 0;
	len = b64_decode(b64, n, k, n / 4 * 3 + 3);
	eq = len >= 0 && (size_t)len == c->bloblen && memcmp(k, c->blob, c->bloblen) == 0;
	free(k);
	return eq;
}

static int check_cb(void *arg, const char *file, int line, const struct kh_line *kl)
{
	struct check_ctx *c = arg;

	if (kl->marker == MARK_CA) {
		c->r->cert_authorities++;
		return 0;
	}
	if (kl->marker == MARK_REVOKED) {
		if (key_equals(c, kl->key)) {
			snprintf(c->r->file, sizeof(c->r->file), "%s", file);
			c->r->line = line;
			c->revoked = 1;
			return 1;	/* a revocation anywhere wins */
		}
		return 0;
	}
	if (!c->r->other_file[0]) {
		snprintf(c->r->other_file, sizeof(c->r->other_file), "%s", file);
		c->r->other_line = line;
	}
	add_type(c->r->other_types, sizeof(c->r->other_types), kl->type);
	if (strcmp(kl->type, c->type) != 0)
		return 0;
	if (key_equals(c, kl->key)) {
		if (!c->match_file[0]) {
			snprintf(c->match_file, sizeof(c->match_file), "%s", file);
			c->match_line = line;
		}
	} else if (!c->changed_file[0]) {
		snprintf(c->changed_file, sizeof(c->changed_file), "%s", file);
		c->changed_line = line;
	}
	return 0;
}

int knownhosts_check(const char *const *files, size_t nfiles, const char *name,
		     const unsigned char *blob, size_t bloblen, struct kh_result *out,
		     struct err *e)
{
	struct check_ctx c;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	c.blob = blob;
	c.bloblen = bloblen;
	c.r = out;
	knownhosts_blob_type(blob, bloblen, c.type, sizeof(c.type));
	if (scan(files, nfiles, name, check_cb, &c, e) < 0)
		return -1;
	if (c.revoked) {
		out->status = KH_REVOKED;
	} else if (c.match_file[0]) {
		out->status = KH_MATCH;
		snprintf(out->file, sizeof(out->file), "%s", c.match_file);
		out->line = c.match_line;
	} else if (c.changed_file[0]) {
		out->status = KH_CHANGED;
		snprintf(out->file, sizeof(out->file), "%s", c.changed_file);
		out->line = c.changed_line;
	} else {
		out->status = KH_UNKNOWN;
	}
	return 0;
}

struct types_ctx {
	char *out;
	size_t cap;
};

static int types_cb(void *arg, const char *file, int line, const struct kh_line *kl)
{
	struct types_ctx *t = arg;

	(void)file;
	(void)line;
	if (kl->marker == MARK_NONE)
		add_type(t->out, t->cap, kl->type);
	return 0;
}

void knownhosts_types(const char *const *files, size_t nfiles, const char *name, char *out,
		      size_t outlen)
{
	struct types_ctx t = { out, outlen };

	if (outlen == 0)
		return;
	out[0] = '\0';
	scan(files, nfiles, name, types_cb, &t, NULL);
}

/* write_all - the whole buffer, or -1. */
static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* root_writes_other - as root, refuse to replace a file, or write in a
 * directory, that another user owns: under sudo, HOME (and so
 * ~/.ssh/known_hosts) may still be the user's, who would find a file of
 * root's in its place. */
static int root_writes_other(const char *path, struct err *e)
{
	struct stat st;

	if (geteuid() != 0 || stat(path, &st) < 0 || st.st_uid == 0)
		return 0;
	err_set(e, ERR_SYS, "as root, relaydeck does not write %s: it belongs to uid %u (is "
		"HOME another user's?); give --known-hosts FILE", path, (unsigned)st.st_uid);
	e->sys_errno = EPERM;
	return -1;
}

int knownhosts_add(const char *file, const char *name, const unsigned char *blob, size_t len,
		   int hash, struct err *e)
{
	struct buf text = BUF_INIT;
	char type[64], dir[512], tmp[600], old[600], *slash;
	unsigned char *b64;
	struct stat st;
	mode_t mode = 0644;
	FILE *fp;
	int fd = -1, have_old = 0;

	knownhosts_blob_type(blob, len, type, sizeof(type));
	if (type[0] == '\0' || len > 16384)
		return err_set(e, ERR_INVALID, "host key of %s: unknown key format", name);
	snprintf(dir, sizeof(dir), "%s", file);
	slash = strrchr(dir, '/');
	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	/* a missing ~/.ssh would be made by root in that user's home: ask
	 * about the home before the directory appears */
	if (stat(dir, &st) < 0 && errno == ENOENT) {
		char parent[512];

		snprintf(parent, sizeof(parent), "%s", dir);
		slash = strrchr(parent, '/');
		if (slash == NULL)
			snprintf(parent, sizeof(parent), ".");
		else if (slash == parent)
			parent[1] = '\0';
		else
			*slash = '\0';
		if (root_writes_other(parent, e) < 0)
			return -1;
	}
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return err_sys(e, "create %s", dir);
	if (root_writes_other(dir, e) < 0 || root_writes_other(file, e) < 0)
		return -1;
	/* the current contents, kept byte for byte */
	buf_init(&text, 64u << 20);
	if ((fp = fopen(file, "re")) != NULL) {
		char chunk[8192];
		size_t n;

		have_old = 1;
		if (fstat(fileno(fp), &st) == 0)
			mode = st.st_mode & 07777;
		while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
			if (buf_append(&text, chunk, n) < 0) {
				fclose(fp);
				buf_free(&text);
				return err_set(e, ERR_LIMIT, "%s: too large", file);
			}
		fclose(fp);
		if (text.len > 0 && text.data[text.len - 1] != '\n')
			buf_putc(&text, '\n');
	} else if (errno != ENOENT) {
		return err_sys(e, "read %s", file);
	}
	if (hash) {
		unsigned char salt[SHA_DIGEST_LENGTH], mac[EVP_MAX_MD_SIZE];
		unsigned char s64[64], m64[64];
		unsigned int maclen = 0;

		if (RAND_bytes(salt, sizeof(salt)) != 1 ||
		    HMAC(EVP_sha1(), salt, sizeof(salt), (const unsigned char *)name, strlen(name),
			 mac, &maclen) == NULL) {
			buf_free(&text);
			return err_set(e, ERR_SYS, "hash the name %s: OpenSSL failed", name);
		}
		EVP_EncodeBlock(s64, salt, sizeof(salt));
		EVP_EncodeBlock(m64, mac, (int)maclen);
		buf_printf(&text, "|1|%s|%s ", s64, m64);
	} else {
		buf_printf(&text, "%s ", name);
	}
	b64 = malloc(len / 3 * 4 + 8);
	if (b64 == NULL) {
		buf_free(&text);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	EVP_EncodeBlock(b64, blob, (int)len);
	buf_printf(&text, "%s %s\n", type, b64);
	free(b64);
	if (text.data == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	snprintf(tmp, sizeof(tmp), "%s.rdXXXXXX", file);
	fd = mkstemp(tmp);
	if (fd < 0) {
		buf_free(&text);
		return err_sys(e, "create a temporary file beside %s", file);
	}
	if (fchmod(fd, mode) < 0 || write_all(fd, text.data, text.len) < 0 || fsync(fd) < 0) {
		err_sys(e, "write %s", tmp);
		goto fail;
	}
	if (close(fd) < 0) {
		fd = -1;
		err_sys(e, "write %s", tmp);
		goto fail;
	}
	fd = -1;
	/* the previous file stays as FILE.old, as ssh-keygen -R keeps it */
	snprintf(old, sizeof(old), "%s.old", file);
	if (have_old && (unlink(old) < 0 && errno != ENOENT)) {
		err_sys(e, "replace %s", old);
		goto fail;
	}
	if (have_old && link(file, old) < 0) {
		err_sys(e, "keep %s as %s", file, old);
		goto fail;
	}
	if (rename(tmp, file) < 0) {
		err_sys(e, "rename %s to %s", tmp, file);
		goto fail;
	}
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(fd);
		close(fd);
	}
	buf_free(&text);
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	buf_free(&text);
	return -1;
}
