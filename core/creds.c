/*
 * creds - the sasl_passwd table through the maps model and change sets.
 * See creds.h.
 *
 * What Postfix accepts (checked with postmap -q on Postfix 3.7): the value
 * is everything after the key and its blanks, trailing blanks dropped;
 * the SASL client splits it at the first ':' into user and password. So
 * a password keeps ':' , inner blanks, leading blanks and UTF-8 bytes,
 * but loses trailing blanks, and cannot hold CR, LF or NUL.
 *
 * The password is joined with the user in a buffer wiped after staging;
 * the change set wipes its staged copy when freed. Error messages name
 * the key or the file, never the value.
 *
 * Errors: ERR_INVALID for bad keys, users and passwords, ERR_NOTFOUND for
 * a missing entry, and whatever reading, parsing and staging report.
 */
#include "config.h"
#include "creds.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "changeset.h"
#include "maps.h"
#include "postfix.h"
#include "secrecy.h"
#include "secret.h"
#include "target.h"
#include "valid.h"

#define MASK SECRECY_MASK

/* first_file_table - the first file-based table in a list of table refs. */
static int first_file_table(const char *list, struct creds_src *src)
{
	char **items = NULL;
	size_t n = 0;
	struct err tmp;
	int found = 0;

	err_clear(&tmp);
	if (valid_list_split(list, &items, &n, &tmp) < 0)
		return 0;
	for (size_t i = 0; i < n && !found; i++) {
		char *type = NULL, *path = NULL;
		enum map_kind k;

		if (maps_split_spec(items[i], &type, &path, &tmp) < 0)
			continue;
		k = maps_kind(type);
		if (path[0] == '/' && k != MAP_UNKNOWN && k != MAP_INLINE &&
		    strlen(type) < sizeof(src->type) && strlen(path) < sizeof(src->path)) {
			snprintf(src->type, sizeof(src->type), "%s", type);
			snprintf(src->path, sizeof(src->path), "%s", path);
			found = 1;
		}
		free(type);
		free(path);
	}
	valid_list_free(items);
	return found;
}

/* creds_source - where smtp_sasl_password_maps points, or the default. */
int creds_source(struct target *t, struct creds_src *src, struct err *e)
{
	struct buf v = BUF_INIT;
	char *p;

	memset(src, 0, sizeof(*src));
	if (postfix_expand(t, "smtp_sasl_password_maps", &v, e) < 0) {
		buf_free(&v);
		return -1;
	}
	if (v.len && first_file_table(v.data, src)) {
		src->configured = 1;
		buf_free(&v);
		return 0;
	}
	buf_reset(&v);
	if (postfix_expand(t, "default_database_type", &v, e) < 0) {
		buf_free(&v);
		return -1;
	}
	snprintf(src->type, sizeof(src->type), "%s", v.len ? v.data : "hash");
	buf_free(&v);
	if ((p = target_config_path(t, "sasl_passwd")) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	snprintf(src->path, sizeof(src->path), "%s", p);
	free(p);
	return 0;
}

/* load - the table as staged in cs, else as on the target (missing: empty). */
static struct maps *load(struct changeset *cs, struct target *t, const struct creds_src *src,
			 struct err *e)
{
	const char *data;
	size_t len;
	struct buf b = BUF_INIT;
	struct maps *m;

	if (cs && changeset_staged(cs, src->path, &data, &len))
		return maps_parse(src->type, src->path, data, len, e);
	if (target_read(t, src->path, &b, e) < 0) {
		buf_wipe_free(&b);
		if (e->code != ERR_NOTFOUND)
			return NULL;
		err_clear(e);
	}
	m = maps_parse(src->type, src->path, b.data ? b.data : "", b.len, e);
	buf_wipe_free(&b);
	return m;
}

/* creds_check_key - relay next hop or sender key. */
int creds_check_key(const char *key, struct err *e)
{
	const char *at;
	struct err tmp;

	if (key == NULL || *key == '\0')
		return err_set(e, ERR_INVALID, "empty credentials key");
	for (const char *p = key; *p; p++)
		if (isspace((unsigned char)*p) || iscntrl((unsigned char)*p))
			return err_set(e, ERR_INVALID, "key '%s': whitespace or control character",
				       key);
	err_clear(&tmp);
	if ((at = strrchr(key, '@')) != NULL) {
		if (strchr(key, ':') || strchr(key, '[') || at[1] == '\0' ||
		    valid_hostname(at + 1, &tmp) < 0)
			return err_set(e, ERR_INVALID,
				       "key '%s': need a sender address (user@domain or @domain)",
				       key);
		return 0;
	}
	if (valid_nexthop(key, &tmp) < 0)
		return err_set(e, ERR_INVALID, "key '%s': need [host]:port or a sender address: %s",
			       key, tmp.msg);
	return 0;
}

/* creds_check_user - what can stand before the first ':'. */
int creds_check_user(const char *user, struct err *e)
{
	if (user == NULL || *user == '\0')
		return err_set(e, ERR_INVALID, "empty user name");
	for (const char *p = user; *p; p++)
		if (*p == ':' || isspace((unsigned char)*p) || iscntrl((unsigned char)*p))
			return err_set(e, ERR_INVALID,
				       "user '%s': ':' , whitespace or control characters cannot "
				       "be stored in sasl_passwd", user);
	return 0;
}

/* creds_check_password - what round-trips through a table value. */
int creds_check_password(const struct secret *pw, struct err *e)
{
	if (pw == NULL || pw->data == NULL || pw->len == 0)
		return err_set(e, ERR_INVALID, "empty password");
	if (memchr(pw->data, '\0', pw->len) || memchr(pw->data, '\n', pw->len) ||
	    memchr(pw->data, '\r', pw->len))
		return err_set(e, ERR_INVALID,
			       "password contains a newline, carriage return or NUL byte, which "
			       "sasl_passwd cannot hold");
	if (isspace((unsigned char)pw->data[pw->len - 1]))
		return err_set(e, ERR_INVALID,
			       "password ends with whitespace, which postmap drops; it would not "
			       "round-trip");
	return 0;
}

/* stage - write the edited table into cs as a secret, rebuilt with postmap. */
static int stage(struct changeset *cs, struct maps *m, struct err *e)
{
	return maps_stage(cs, m, 0600, CS_SECRET, e);
}

/* creds_set - add or replace key's entry. */
int creds_set(struct changeset *cs, struct target *t, const struct creds_src *src,
	      const char *key, const char *user, const struct secret *pw, struct err *e)
{
	struct maps *m;
	size_t ul, len;
	char *v;
	int r;

	if (creds_check_key(key, e) < 0 || creds_check_user(user, e) < 0 ||
	    creds_check_password(pw, e) < 0)
		return -1;
	if ((m = load(cs, t, src, e)) == NULL)
		return -1;
	ul = strlen(user);
	len = ul + 1 + pw->len;
	if ((v = malloc(len + 1)) == NULL) {
		maps_free(m);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	memcpy(v, user, ul);
	v[ul] = ':';
	memcpy(v + ul + 1, pw->data, pw->len);
	v[len] = '\0';
	r = maps_set(m, key, v, e);
	OPENSSL_cleanse(v, len);
	free(v);
	if (r == 0)
		r = stage(cs, m, e);
	maps_free(m);
	return r;
}

/* creds_rotate - new password, same user. */
int creds_rotate(struct changeset *cs, struct target *t, const struct creds_src *src,
		 const char *key, const struct secret *pw, struct err *e)
{
	struct maps *m;
	const char *v, *colon;
	char *user;
	int r;

	if ((m = load(cs, t, src, e)) == NULL)
		return -1;
	if ((v = maps_get(m, key)) == NULL) {
		maps_free(m);
		return err_set(e, ERR_NOTFOUND, "%s: no credentials for '%s'", src->path, key);
	}
	colon = strchr(v, ':');
	user = strndup(v, colon ? (size_t)(colon - v) : strlen(v));
	maps_free(m);
	if (user == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	r = creds_set(cs, t, src, key, user, pw, e);
	free(user);
	return r;
}

/* creds_remove - drop key's entry. */
int creds_remove(struct changeset *cs, struct target *t, const struct creds_src *src,
		 const char *key, struct err *e)
{
	struct maps *m;
	int r;

	if ((m = load(cs, t, src, e)) == NULL)
		return -1;
	r = maps_remove(m, key, e);
	if (r == 0)
		r = stage(cs, m, e);
	else if (e->code == ERR_NOTFOUND)
		err_set(e, ERR_NOTFOUND, "%s: no credentials for '%s'", src->path, key);
	maps_free(m);
	return r;
}

/* creds_list - keys and users, secrets masked. */
int creds_list(struct target *t, const struct creds_src *src, struct creds_entry **list,
	       size_t *count, struct err *e)
{
	struct maps *m;
	size_t n;

	*list = NULL;
	*count = 0;
	if ((m = load(NULL, t, src, e)) == NULL)
		return -1;
	n = maps_count(m);
	if ((*list = calloc(n ? n : 1, sizeof(**list))) == NULL) {
		maps_free(m);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		struct map_entry me;
		const char *colon;
		struct creds_entry *c = &(*list)[i];

		maps_entry(m, i, &me);
		colon = strchr(me.value, ':');
		c->key = strdup(me.key);
		c->user = strndup(me.value, colon ? (size_t)(colon - me.value) : strlen(me.value));
		c->line = me.line;
		if (c->user && (c->masked = malloc(strlen(c->user) + sizeof(MASK) + 2)) != NULL)
			sprintf(c->masked, "%s:%s", c->user, colon ? MASK : "(no password)");
		(*count)++;
		if (c->key == NULL || c->user == NULL || c->masked == NULL) {
			creds_list_free(*list, *count);
			*list = NULL;
			*count = 0;
			maps_free(m);
			return err_set(e, ERR_NOMEM, "out of memory");
		}
	}
	maps_free(m);
	return 0;
}

/* creds_list_free - release a creds_list result. */
void creds_list_free(struct creds_entry *list, size_t count)
{
	for (size_t i = 0; list && i < count; i++) {
		free(list[i].key);
		free(list[i].user);
		free(list[i].masked);
	}
	free(list);
}

/* add_finding - record one unsafe file. */
static int add_finding(struct creds_finding **list, size_t *n, const char *path,
		       const struct target_stat *st, const char *problem)
{
	struct creds_finding *nl = realloc(*list, (*n + 1) * sizeof(*nl));

	if (nl == NULL)
		return -1;
	*list = nl;
	nl[*n].path = strdup(path);
	nl[*n].mode = st->mode;
	nl[*n].uid = st->uid;
	nl[*n].problem = strdup(problem);
	(*n)++;
	return nl[*n - 1].path && nl[*n - 1].problem ? 0 : -1;
}

/* audit_file - check one path; missing files are fine. */
static int audit_file(struct target *t, const char *path, struct creds_finding **list,
		      size_t *n, struct err *e)
{
	struct target_stat st;
	char why[128];

	if (target_stat(t, path, &st, e) < 0)
		return -1;
	if (!st.exists)
		return 0;
	if (st.mode & 077) {
		snprintf(why, sizeof(why), "readable or writable by group/others (mode %04o)",
			 (unsigned)st.mode);
		if (add_finding(list, n, path, &st, why) < 0)
			return err_set(e, ERR_NOMEM, "out of memory");
	}
	if (t->is_root && st.uid != 0) {
		snprintf(why, sizeof(why), "owned by uid %ld, not root", (long)st.uid);
		if (add_finding(list, n, path, &st, why) < 0)
			return err_set(e, ERR_NOMEM, "out of memory");
	}
	return 0;
}

/* audit_source - a source and every compiled table beside it. */
static int audit_source(struct target *t, const char *path, struct creds_finding **list,
			size_t *n, struct err *e)
{
	char p[4200];

	if (audit_file(t, path, list, n, e) < 0)
		return -1;
	for (size_t i = 0; secrecy_compiled_suffixes[i]; i++) {
		snprintf(p, sizeof(p), "%s%s", path, secrecy_compiled_suffixes[i]);
		if (audit_file(t, p, list, n, e) < 0)
			return -1;
	}
	return 0;
}

/* creds_audit - unsafe credential files and compiled tables: every table
 * core/secrecy counts as credentials (all password parameters, master.cf
 * overrides, the sasl_passwd default), each file once. */
int creds_audit(struct target *t, struct creds_finding **list, size_t *count, struct err *e)
{
	struct secrecy *sec;
	int r = 0;

	*list = NULL;
	*count = 0;
	if ((sec = secrecy_load(t, e)) == NULL)
		return -1;
	for (size_t i = 0; r == 0 && i < secrecy_count(sec); i++)
		r = audit_source(t, secrecy_path(sec, i), list, count, e);
	secrecy_free(sec);
	if (r < 0) {
		creds_audit_free(*list, *count);
		*list = NULL;
		*count = 0;
	}
	return r;
}

/* creds_audit_free - release a creds_audit result. */
void creds_audit_free(struct creds_finding *list, size_t count)
{
	for (size_t i = 0; list && i < count; i++) {
		free(list[i].path);
		free(list[i].problem);
	}
	free(list);
}

/* creds_audit_stage_fix - same bytes again as secrets: written 0600 root. */
int creds_audit_stage_fix(struct changeset *cs, struct target *t,
			  const struct creds_finding *list, size_t count, struct err *e)
{
	for (size_t i = 0; i < count; i++) {
		struct buf b = BUF_INIT;
		int r;

		/* two findings on one file stage it once */
		if (i > 0 && strcmp(list[i].path, list[i - 1].path) == 0)
			continue;
		if (target_read(t, list[i].path, &b, e) < 0) {
			buf_wipe_free(&b);
			return -1;
		}
		r = changeset_stage(cs, list[i].path, b.data ? b.data : "", b.len, 0600,
				    CS_SECRET, e);
		buf_wipe_free(&b);
		if (r < 0)
			return -1;
	}
	return 0;
}
