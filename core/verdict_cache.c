/*
 * verdict_cache - Postfix's last verdict in the state directory. See
 * verdict_cache.h.
 */
#include "config.h"
#include "verdict_cache.h"

#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "target.h"

#define MAGIC "relaydeck-verdict 1 "

/* hash_file - the SHA-256 of a config file appended to id (or "none"
 * when it does not exist). */
static int hash_file(struct target *t, const char *name, struct buf *id, struct err *e)
{
	unsigned char h[SHA256_DIGEST_LENGTH];
	char *path = target_config_path(t, name);
	struct target_stat st;
	struct buf b = BUF_INIT;
	int r = -1;

	if (path == NULL)
		return err_set(e, ERR_NOMEM, "verdict: out of memory");
	if (target_stat(t, path, &st, e) == 0) {
		/* an append to a small buffer fails only for lack of memory */
		if (!st.exists) {
			r = buf_puts(id, "none");
		} else if (target_read(t, path, &b, e) == 0) {
			SHA256((const unsigned char *)(b.data ? b.data : ""), b.len, h);
			r = buf_append(id, h, sizeof(h));
		}
	}
	buf_free(&b);
	free(path);
	return r < 0 && e->code == ERR_OK ? err_set(e, ERR_NOMEM, "verdict: out of memory") : r;
}

/* verdict_cache_key - see verdict_cache.h. */
int verdict_cache_key(struct target *t, unsigned char key[VERDICT_KEY_LEN], struct err *e)
{
	struct target_stat st;
	struct buf id = BUF_INIT;
	int r = -1;

	if (target_stat(t, t->config_dir, &st, e) < 0)
		return -1;
	if (buf_printf(&id, "%s%c%d %llu %llu %lld %d%c", t->config_dir, 0, st.has_id, st.dev,
		       st.ino, st.mtime, t->is_root, 0) < 0)
		err_set(e, ERR_NOMEM, "verdict: out of memory");
	else if (hash_file(t, "main.cf", &id, e) == 0 && hash_file(t, "master.cf", &id, e) == 0) {
		SHA256((const unsigned char *)id.data, id.len, key);
		r = 0;
	}
	buf_free(&id);
	return r;
}

static void key_hex(const unsigned char key[VERDICT_KEY_LEN], char hex[2 * VERDICT_KEY_LEN + 1])
{
	for (size_t i = 0; i < VERDICT_KEY_LEN; i++)
		snprintf(hex + 2 * i, 3, "%02x", key[i]);
}

/* verdict_cache_load - see verdict_cache.h. */
int verdict_cache_load(struct target *t, const unsigned char key[VERDICT_KEY_LEN],
		       struct postfix_verdict *v)
{
	char hex[2 * VERDICT_KEY_LEN + 1], *path = target_state_path(t, "verdict");
	struct target_stat st;
	struct buf b = BUF_INIT;
	struct err ig;
	const char *p, *nl;
	size_t ml = strlen(MAGIC);
	int found = 0;

	err_clear(&ig);
	if (path == NULL || target_stat(t, path, &st, &ig) < 0 || !st.exists ||
	    target_read(t, path, &b, &ig) < 0)
		goto out;
	key_hex(key, hex);
	p = b.data ? b.data : "";
	nl = memchr(p, '\n', b.len);
	/* "MAGIC HEX CHECK\n": CHECK is 0 (passed) or 1 (skipped) */
	if (nl == NULL || (size_t)(nl - p) != ml + sizeof(hex) - 1 + 2 ||
	    memcmp(p, MAGIC, ml) != 0 || memcmp(p + ml, hex, sizeof(hex) - 1) != 0 ||
	    p[ml + sizeof(hex) - 1] != ' ' || (nl[-1] != '0' && nl[-1] != '1'))
		goto out;
	buf_reset(&v->messages);
	if (buf_append(&v->messages, nl + 1, b.len - (size_t)(nl + 1 - p)) < 0)
		goto out;
	v->check = nl[-1] - '0';
	v->conf = 0;
	v->reason[0] = '\0';
	err_clear(&v->e);
	found = 1;
out:
	buf_free(&b);
	free(path);
	return found;
}

/* verdict_cache_save - see verdict_cache.h. */
int verdict_cache_save(struct target *t, const unsigned char key[VERDICT_KEY_LEN],
		       const struct postfix_verdict *v, struct err *e)
{
	char hex[2 * VERDICT_KEY_LEN + 1], *path;
	struct buf b = BUF_INIT;
	int r;

	if (postfix_verdict_rejected(v) || (v->check != 0 && v->check != 1)) {
		verdict_cache_drop(t);
		return 0;
	}
	if ((path = target_state_path(t, "verdict")) == NULL)
		return err_set(e, ERR_NOMEM, "verdict: out of memory");
	key_hex(key, hex);
	if (buf_printf(&b, "%s%s %d\n", MAGIC, hex, v->check) < 0 ||
	    buf_append(&b, v->messages.data ? v->messages.data : "", v->messages.len) < 0)
		r = err_set(e, ERR_LIMIT, "verdict: too large");
	else
		r = target_write(t, path, b.data, b.len, 0600, e);
	buf_free(&b);
	free(path);
	return r;
}

/* verdict_cache_drop - see verdict_cache.h. */
void verdict_cache_drop(struct target *t)
{
	char *path = target_state_path(t, "verdict");
	struct target_stat st;
	struct err ig;

	err_clear(&ig);
	if (path && target_stat(t, path, &st, &ig) == 0 && st.exists)
		t->ops->unlink(t, path, &ig);
	free(path);
}
