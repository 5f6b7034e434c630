/*
 * changeset - staged writes, diff, backup, apply, restore, history,
 * rollback. See changeset.h.
 *
 * State under t->state_dir (created 0700):
 *	lock			the change lock (target lock op, 5 s wait)
 *	applying		ID of the backup whose apply is under way; left
 *				behind only by a killed process (or a failed
 *				restore), and the next apply restores that backup
 *				first
 *	backups/ID/meta		what the backup holds (format below)
 *	backups/ID/file.N	the original bytes of file N (0600)
 * ID is UTC "YYYYMMDDTHHMMSSZ-N". meta is written last, so a backup
 * directory without it is an incomplete one and history ignores it.
 * meta lines, tab separated:
 *	id	ID
 *	time	UNIX-TIME
 *	description	TEXT (tabs and newlines turned into spaces)
 *	file	N	EXISTED	MODE	UID	GID	SECRET	POSTMAP	TYPE	PATH
 * (EXISTED, SECRET, POSTMAP are 0/1, MODE is octal, TYPE is "-" for the
 * default database type; PATH comes last and runs to the end of the line.)
 *
 * Apply: lock, finish an interrupted apply (restore its backup), re-read
 * the files (nothing to do when none changed),
 * remove temp files a killed writer left, record Postfix's warnings,
 * back up, write, postmap, validate, reload, unlock. A failure after the
 * backup puts every file back from it before returning.
 *
 * Secrets: staged contents and the originals read for diffs and backups
 * are wiped when freed; error messages carry paths, never contents.
 */
#include "config.h"
#include "changeset.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "diff.h"
#include "postfix.h"
#include "target.h"

#define LOCK_WAIT_MS 5000

struct cs_file {
	char *path;
	struct buf data;
	mode_t mode;
	unsigned flags;
	int remove;		/* stage the file's removal */
	char type[32];		/* postmap type, "" for the default */
	/* filled by apply */
	int changed;
	struct target_stat st;	/* before the change */
	struct buf old;		/* bytes before the change */
};

struct changeset {
	struct target *t;
	struct cs_file *files;
	size_t n;
};

/* changeset_new - an empty change set on t. */
struct changeset *changeset_new(struct target *t)
{
	struct changeset *cs = calloc(1, sizeof(*cs));

	if (cs)
		cs->t = t;
	return cs;
}

/* changeset_free - release, wiping staged and original contents. */
void changeset_free(struct changeset *cs)
{
	if (cs == NULL)
		return;
	for (size_t i = 0; i < cs->n; i++) {
		free(cs->files[i].path);
		buf_wipe_free(&cs->files[i].data);
		buf_wipe_free(&cs->files[i].old);
	}
	free(cs->files);
	free(cs);
}

/* stage_slot - the entry for path, created when new. */
static struct cs_file *stage_slot(struct changeset *cs, const char *path, struct err *e)
{
	struct cs_file *f, *nv;

	if (path == NULL || path[0] != '/' || strpbrk(path, "\t\n") != NULL) {
		err_set(e, ERR_INVALID, "stage %s: need an absolute path without tabs or newlines",
			path ? path : "(null)");
		return NULL;
	}
	for (size_t i = 0; i < cs->n; i++)
		if (strcmp(cs->files[i].path, path) == 0) {
			f = &cs->files[i];
			buf_wipe_free(&f->data);
			buf_init(&f->data, 0);
			return f;
		}
	nv = realloc(cs->files, (cs->n + 1) * sizeof(*nv));
	if (nv == NULL) {
		err_set(e, ERR_NOMEM, "stage %s: out of memory", path);
		return NULL;
	}
	cs->files = nv;
	f = &cs->files[cs->n];
	memset(f, 0, sizeof(*f));
	buf_init(&f->data, 0);
	buf_init(&f->old, 0);
	if ((f->path = strdup(path)) == NULL) {
		err_set(e, ERR_NOMEM, "stage %s: out of memory", path);
		return NULL;
	}
	cs->n++;
	return f;
}

/* changeset_stage_map - stage new content, remembering the map type for postmap. */
int changeset_stage_map(struct changeset *cs, const char *path, const void *data,
			size_t len, mode_t mode, unsigned flags, const char *type,
			struct err *e)
{
	struct cs_file *f;

	if (type && (strlen(type) >= sizeof(f->type) || strpbrk(type, "\t\n:/ ") != NULL))
		return err_set(e, ERR_INVALID, "stage %s: bad map type", path ? path : "(null)");
	if ((f = stage_slot(cs, path, e)) == NULL)
		return -1;
	f->mode = mode & 07777;
	f->flags = flags;
	f->remove = 0;
	snprintf(f->type, sizeof(f->type), "%s", type ? type : "");
	if (buf_append(&f->data, data ? data : "", len) < 0)
		return err_set(e, ERR_LIMIT, "stage %s: content too large", path);
	return 0;
}

/* changeset_stage - stage new content of path. */
int changeset_stage(struct changeset *cs, const char *path, const void *data, size_t len,
		    mode_t mode, unsigned flags, struct err *e)
{
	return changeset_stage_map(cs, path, data, len, mode, flags, NULL, e);
}

/* changeset_stage_remove - stage the removal of path. */
int changeset_stage_remove(struct changeset *cs, const char *path, unsigned flags,
			   struct err *e)
{
	struct cs_file *f = stage_slot(cs, path, e);

	if (f == NULL)
		return -1;
	f->flags = flags;
	f->remove = 1;
	f->type[0] = '\0';
	return 0;
}

/* changeset_staged - the staged bytes of path, if any. */
int changeset_staged(const struct changeset *cs, const char *path, const char **data,
		     size_t *len)
{
	for (size_t i = 0; i < cs->n; i++)
		if (strcmp(cs->files[i].path, path) == 0 && !cs->files[i].remove) {
			*data = cs->files[i].data.data ? cs->files[i].data.data : "";
			*len = cs->files[i].data.len;
			return 1;
		}
	return 0;
}

/* read_current - stat and read a file's present bytes into f->st/f->old
 * and decide whether the staged content differs. */
static int read_current(struct target *t, struct cs_file *f, struct err *e)
{
	buf_wipe_free(&f->old);
	buf_init(&f->old, 0);
	if (target_stat(t, f->path, &f->st, e) < 0)
		return -1;
	if (f->st.exists && target_read(t, f->path, &f->old, e) < 0)
		return -1;
	if (f->remove)
		f->changed = f->st.exists;
	else
		f->changed = !f->st.exists || f->old.len != f->data.len ||
			     (f->old.len && memcmp(f->old.data, f->data.data, f->old.len) != 0);
	/* a secret file others can read, or not owned by root, is rewritten
	 * 0600 root even with the same bytes (creds audit --fix) */
	if (!f->remove && (f->flags & CS_SECRET) && f->st.exists &&
	    ((f->st.mode & 077) || (t->is_root && f->st.uid != 0)))
		f->changed = 1;
	return 0;
}

/* changeset_changed - count staged files that differ from the target. */
size_t changeset_changed(struct changeset *cs, struct err *e)
{
	size_t n = 0;

	for (size_t i = 0; i < cs->n; i++) {
		if (read_current(cs->t, &cs->files[i], e) < 0)
			return 0;
		n += cs->files[i].changed != 0;
	}
	return n;
}

/* changeset_diff - one unified diff per changed file. */
int changeset_diff(struct changeset *cs, struct buf *out, struct err *e)
{
	for (size_t i = 0; i < cs->n; i++) {
		struct cs_file *f = &cs->files[i];
		char *la, *lb;
		int r;

		if (read_current(cs->t, f, e) < 0)
			return -1;
		if (!f->changed)
			continue;
		la = f->st.exists ? malloc(strlen(f->path) + 2) : strdup("/dev/null");
		lb = !f->remove ? malloc(strlen(f->path) + 2) : strdup("/dev/null");
		if (la == NULL || lb == NULL) {
			free(la);
			free(lb);
			return err_set(e, ERR_NOMEM, "diff %s: out of memory", f->path);
		}
		if (f->st.exists)
			sprintf(la, "a%s", f->path);
		if (!f->remove)
			sprintf(lb, "b%s", f->path);
		r = (f->flags & CS_SECRET ? diff_unified_masked : diff_unified)(
			f->old.data, f->old.len, f->remove ? "" : f->data.data,
			f->remove ? 0 : f->data.len, la, lb, DIFF_CONTEXT_DEFAULT, out, e);
		free(la);
		free(lb);
		/* A created file whose content is empty has no diff lines: say so. */
		if (r == 0 && !f->st.exists && f->data.len == 0)
			r = buf_printf(out, "--- /dev/null\n+++ b%s\n", f->path) < 0
				? err_set(e, ERR_LIMIT, "diff: output too large") : 0;
		if (r < 0)
			return -1;
	}
	return 0;
}

/* apply_report_init - an empty report. */
void apply_report_init(struct apply_report *r)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->steps, 0);
	buf_init(&r->warnings, 0);
}

/* apply_report_free - release the report's buffers. */
void apply_report_free(struct apply_report *r)
{
	if (r == NULL)
		return;
	buf_free(&r->steps);
	buf_free(&r->warnings);
}

/* step - one human line in the report: what, then arg when given. */
static void step(struct apply_report *r, const char *what, const char *arg)
{
	buf_puts(&r->steps, what);
	if (arg) {
		buf_putc(&r->steps, ' ');
		buf_puts(&r->steps, arg);
	}
	buf_putc(&r->steps, '\n');
}

/* has_line - whether text contains line (len bytes) as a whole line. */
static int has_line(const struct buf *text, const char *line, size_t len)
{
	const char *p = text->data, *end = text->data + text->len;

	while (p && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (l == len && memcmp(p, line, len) == 0)
			return 1;
		p = nl ? nl + 1 : end;
	}
	return 0;
}

/* normalize_lines - append the lines of in to out, with a leading program
 * path shortened to its name: postfix check reports postconf's warnings as
 * "/usr/sbin/postconf: warning: ..." where postconf -n itself says
 * "postconf: warning: ...", and the two must compare equal. */
static void normalize_lines(const struct buf *in, struct buf *out)
{
	const char *p = in->data, *end = in->data + in->len;

	while (p && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end, *colon = memchr(p, ':', (size_t)(eol - p));
		const char *start = p;

		if (colon && *p == '/' && memchr(p, ' ', (size_t)(colon - p)) == NULL)
			for (const char *q = p; q < colon; q++)
				if (*q == '/')
					start = q + 1;
		if (eol > p) {
			buf_append(out, start, (size_t)(eol - start));
			buf_putc(out, '\n');
		}
		p = nl ? nl + 1 : end;
	}
}

/* collect_warnings - stderr of postconf -n and output of postfix check
 * (when root) into w; *check_rc and *conf_rc get the two outcomes. */
static void collect_warnings(struct target *t, struct buf *w, int *check_rc, int *conf_rc,
			     struct err *ce, struct err *pe)
{
	struct buf raw = BUF_INIT;

	*check_rc = postfix_check(t, &raw, ce);
	*conf_rc = postfix_conf_n(t, NULL, &raw, pe);
	normalize_lines(&raw, w);
	buf_free(&raw);
}

/* first_new_warning - the first line of after that is not in before. */
static int first_new_warning(const struct buf *before, const struct buf *after, char *dst,
			     size_t n)
{
	const char *p = after->data, *end = after->data + after->len;

	while (p && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (l > 0 && !has_line(before, p, l)) {
			snprintf(dst, n, "%.*s", (int)l, p);
			return 1;
		}
		p = nl ? nl + 1 : end;
	}
	return 0;
}

/* keep_old_warnings - warnings in both before and after, once each. */
static void keep_old_warnings(const struct buf *before, const struct buf *after,
			      struct buf *out)
{
	const char *p = after->data, *end = after->data + after->len;

	while (p && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (l > 0 && has_line(before, p, l) && !has_line(out, p, l)) {
			buf_append(out, p, l);
			buf_putc(out, '\n');
		}
		p = nl ? nl + 1 : end;
	}
}

/* meta_clean - the description on one line. */
static void meta_clean(const char *in, char *out, size_t n)
{
	snprintf(out, n, "%s", in ? in : "");
	for (char *p = out; *p; p++)
		if (*p == '\t' || *p == '\n' || *p == '\r')
			*p = ' ';
}

/* make_backup - a new backup directory holding the changed files. */
static int make_backup(struct changeset *cs, const char *description, char *id, size_t idlen,
		       struct err *e)
{
	struct target *t = cs->t;
	struct buf meta = BUF_INIT;
	char stamp[32], desc[256], *dir = NULL, *path = NULL;
	struct target_stat st;
	time_t now = time(NULL);
	struct tm tm;
	size_t dlen;
	int r = -1;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	dlen = strlen(t->state_dir) + 200;
	if ((dir = malloc(dlen)) == NULL || (path = malloc(dlen)) == NULL)
		goto nomem;
	for (int n = 1;; n++) {
		snprintf(id, idlen, "%s-%d", stamp, n);
		snprintf(dir, dlen, "%s/backups/%s", t->state_dir, id);
		if (target_stat(t, dir, &st, e) < 0)
			goto out;
		if (!st.exists)
			break;
	}
	if (t->ops->mkdir_p(t, dir, 0700, e) < 0)
		goto out;
	meta_clean(description, desc, sizeof(desc));
	if (buf_printf(&meta, "id\t%s\ntime\t%lld\ndescription\t%s\n", id, (long long)now,
		       desc) < 0)
		goto nomem;
	for (size_t i = 0, k = 0; i < cs->n; i++) {
		struct cs_file *f = &cs->files[i];

		if (!f->changed)
			continue;
		if (f->st.exists) {
			snprintf(path, dlen, "%s/file.%zu", dir, k);
			if (target_write(t, path, f->old.data ? f->old.data : "", f->old.len, 0600,
					 e) < 0)
				goto out;
		}
		if (buf_printf(&meta, "file\t%zu\t%d\t%04o\t%ld\t%ld\t%d\t%d\t%s\t%s\n", k,
			       f->st.exists, (unsigned)f->st.mode, (long)f->st.uid, (long)f->st.gid,
			       (f->flags & CS_SECRET) != 0, (f->flags & CS_POSTMAP) != 0,
			       f->type[0] ? f->type : "-", f->path) < 0)
			goto nomem;
		k++;
	}
	snprintf(path, dlen, "%s/meta", dir);
	if (target_write(t, path, meta.data, meta.len, 0600, e) < 0)
		goto out;
	r = 0;
	goto out;
nomem:
	err_set(e, ERR_NOMEM, "backup: out of memory");
out:
	buf_free(&meta);
	free(dir);
	free(path);
	return r;
}

/* write_new - put the staged content of f in place (or remove it). */
static int write_new(struct target *t, struct cs_file *f, struct err *e)
{
	struct write_opts o = { 0, (uid_t)-1, (gid_t)-1 };

	if (f->remove)
		return t->ops->unlink(t, f->path, e);
	if (f->flags & CS_SECRET) {
		o.mode = 0600;
		/* a secret belongs to root even when someone else created the file */
		if (t->is_root)
			o.uid = 0;
	} else if (f->st.exists)
		o.mode = f->st.mode;
	else
		o.mode = f->mode ? f->mode : 0644;
	return t->ops->write_atomic(t, f->path, f->data.data ? f->data.data : "", f->data.len,
				    &o, e);
}

/* restore - put back every changed file as it was; 0 when all went back. */
static int restore(struct changeset *cs, struct err *re)
{
	struct target *t = cs->t;
	int bad = 0;

	for (size_t i = 0; i < cs->n; i++) {
		struct cs_file *f = &cs->files[i];
		struct write_opts o = { f->st.mode, f->st.uid, f->st.gid };

		if (!f->changed)
			continue;
		if (!f->st.exists) {
			if (t->ops->unlink(t, f->path, re) < 0)
				bad = 1;
			continue;
		}
		if (t->ops->write_atomic(t, f->path, f->old.data ? f->old.data : "", f->old.len,
					 &o, re) < 0) {
			bad = 1;
			continue;
		}
		if ((f->flags & CS_POSTMAP) && postfix_postmap(t, f->type, f->path, re) < 0)
			bad = 1;
	}
	return bad ? -1 : 0;
}

/* remove_stale_temps - temp files of a writer that was killed before its
 * rename (".NAME.rdXXXXXX" beside NAME); safe because we hold the lock. */
static void remove_stale_temps(struct target *t, const struct cs_file *f,
			       struct apply_report *r)
{
	const char *slash = strrchr(f->path, '/');
	char dir[4096], prefix[512], full[sizeof(dir) + sizeof(prefix) + 16];
	char **names = NULL;
	size_t count = 0, plen;
	struct err ig;

	if (slash == NULL || (size_t)(slash - f->path) >= sizeof(dir))
		return;
	snprintf(dir, sizeof(dir), "%.*s", slash == f->path ? 1 : (int)(slash - f->path),
		 f->path);
	snprintf(prefix, sizeof(prefix), ".%s.rd", slash + 1);
	plen = strlen(prefix);
	err_clear(&ig);
	if (t->ops->list_dir(t, dir, &names, &count, &ig) < 0)
		return;
	for (size_t i = 0; i < count; i++) {
		if (strncmp(names[i], prefix, plen) != 0 || strlen(names[i]) != plen + 6)
			continue;
		snprintf(full, sizeof(full), "%s%s%s", dir, strcmp(dir, "/") ? "/" : "", names[i]);
		if (t->ops->unlink(t, full, &ig) == 0)
			step(r, "removed stale temporary file", full);
	}
	target_names_free(names, count);
}

/* fail_restored - keep the failing step's error, restore, and say so. */
static int fail_restored(struct changeset *cs, struct apply_report *r, struct err *e)
{
	struct err re;
	size_t n = strlen(e->msg);

	err_clear(&re);
	if (restore(cs, &re) == 0) {
		r->restored = 1;
		snprintf(e->msg + n, sizeof(e->msg) - n, " (previous files restored)");
		step(r, "restore: ok", NULL);
	} else {
		snprintf(e->msg + n, sizeof(e->msg) - n,
			 " (restoring the previous files failed: %s)", re.msg);
		step(r, "restore: FAILED", NULL);
	}
	return -1;
}

/* validate - postfix check and postconf -n after the change; new warnings fail. */
static int validate(struct changeset *cs, const struct buf *before, struct apply_report *r,
		    struct err *e)
{
	struct buf after = BUF_INIT;
	struct err ce, pe;
	char line[400];
	int check_rc, conf_rc, rc = -1;

	err_clear(&ce);
	err_clear(&pe);
	collect_warnings(cs->t, &after, &check_rc, &conf_rc, &ce, &pe);
	if (check_rc < 0) {
		err_set(e, ERR_VALIDATE, "%s", ce.msg);
		step(r, "postfix check: failed", NULL);
		goto out;
	}
	if (check_rc == 1) {
		r->check_skipped = 1;
		step(r, "postfix check: skipped (needs root)", NULL);
	} else {
		step(r, "postfix check: ok", NULL);
	}
	if (conf_rc < 0) {
		err_set(e, ERR_VALIDATE, "%s", pe.msg);
		step(r, "postconf -n: failed", NULL);
		goto out;
	}
	step(r, "postconf -n: ok", NULL);
	if (first_new_warning(before, &after, line, sizeof(line))) {
		err_set(e, ERR_VALIDATE, "the change makes Postfix warn: %s", line);
		step(r, "warnings: new warning", NULL);
		goto out;
	}
	r->validated = check_rc == 0;
	keep_old_warnings(before, &after, &r->warnings);
	rc = 0;
out:
	buf_free(&after);
	return rc;
}

struct meta_file {
	size_t idx;
	int existed, secret, postmap;
	unsigned mode;
	long uid, gid;
	char type[32];
	char *path;
};

struct meta {
	struct backup_info info;
	struct meta_file *files;
	size_t n;
};

/* meta_free - release a parsed meta file (the struct itself is the caller's). */
static void meta_free(struct meta *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->files[i].path);
	free(m->files);
	m->files = NULL;
	m->n = 0;
}

static int meta_load(struct target *t, const char *id, struct meta *m, struct err *e);

/* recover_interrupted - a relaydeck killed between its backup and the end
 * of its apply left the "applying" marker naming that backup: put those
 * files back before anything else, so a half-applied change set (some
 * files new, some old, unvalidated) never stays in place. */
static int recover_interrupted(struct target *t, struct apply_report *r, struct err *e)
{
	struct buf id = BUF_INIT, data = BUF_INIT;
	struct target_stat st;
	struct meta m;
	char *marker, *path = NULL;
	size_t n;
	int rc = -1;

	memset(&m, 0, sizeof(m));
	if ((marker = target_state_path(t, "applying")) == NULL)
		return err_set(e, ERR_NOMEM, "apply: out of memory");
	if (target_stat(t, marker, &st, e) < 0)
		goto out;
	if (!st.exists) {
		rc = 0;
		goto out;
	}
	if (target_read(t, marker, &id, e) < 0)
		goto out;
	while (id.len && (id.data[id.len - 1] == '\n'))
		id.data[--id.len] = '\0';
	if (id.len == 0 || id.len > 60 || strchr(id.data, '/') || meta_load(t, id.data, &m, e) != 0) {
		err_set(e, ERR_PARSE, "%s: names no usable backup; an earlier apply was interrupted, "
			"check the files and remove this marker", marker);
		err_at(e, marker, 1);
		goto out;
	}
	n = strlen(t->state_dir) + id.len + 64;
	if ((path = malloc(n)) == NULL) {
		err_set(e, ERR_NOMEM, "apply: out of memory");
		goto out;
	}
	for (size_t i = 0; i < m.n; i++) {
		struct meta_file *f = &m.files[i];
		struct write_opts o = { (mode_t)f->mode, (uid_t)f->uid, (gid_t)f->gid };

		if (!f->existed) {
			if (t->ops->unlink(t, f->path, e) < 0)
				goto out;
			continue;
		}
		snprintf(path, n, "%s/backups/%s/file.%zu", t->state_dir, id.data, f->idx);
		if (target_read(t, path, &data, e) < 0 ||
		    t->ops->write_atomic(t, f->path, data.data, data.len, &o, e) < 0)
			goto out;
		buf_wipe_free(&data);
		buf_init(&data, 0);
		if (f->postmap && postfix_postmap(t, f->type, f->path, e) < 0)
			goto out;
	}
	if (t->ops->unlink(t, marker, e) < 0)
		goto out;
	step(r, "recovered an interrupted apply: files restored from backup", id.data);
	rc = 0;
out:
	buf_wipe_free(&data);
	buf_free(&id);
	meta_free(&m);
	free(path);
	free(marker);
	return rc;
}

/* marker_set - name the backup being applied, or remove the marker (id NULL). */
static int marker_set(struct target *t, const char *id, struct err *e)
{
	char *marker = target_state_path(t, "applying");
	int r;

	if (marker == NULL)
		return err_set(e, ERR_NOMEM, "apply: out of memory");
	if (id)
		r = target_write(t, marker, id, strlen(id), 0600, e);
	else
		r = t->ops->unlink(t, marker, e);
	free(marker);
	return r;
}

/* changeset_apply - lock, back up, write, postmap, validate, reload; restore on failure. */
int changeset_apply(struct changeset *cs, const char *description, struct apply_report *r,
		    struct err *e)
{
	struct target *t = cs->t;
	struct buf before = BUF_INIT;
	struct err ig;
	void *lock = NULL;
	char *lockpath = NULL, *bdir = NULL;
	size_t changed = 0;
	int dummy1, dummy2, running, marked = 0, rc = -1;

	if (t->ops->mkdir_p(t, t->state_dir, 0700, e) < 0)
		return -1;
	if ((lockpath = target_state_path(t, "lock")) == NULL ||
	    (bdir = target_state_path(t, "backups")) == NULL) {
		err_set(e, ERR_NOMEM, "apply: out of memory");
		goto out;
	}
	if (t->ops->mkdir_p(t, bdir, 0700, e) < 0)
		goto out;
	if (t->ops->lock(t, lockpath, LOCK_WAIT_MS, &lock, e) < 0) {
		lock = NULL;
		goto out;
	}
	if (recover_interrupted(t, r, e) < 0)
		goto out;
	for (size_t i = 0; i < cs->n; i++) {
		if (read_current(t, &cs->files[i], e) < 0)
			goto out;
		changed += cs->files[i].changed != 0;
	}
	if (changed == 0) {
		step(r, "no changes", NULL);
		rc = 0;
		goto out;
	}
	for (size_t i = 0; i < cs->n; i++)
		if (cs->files[i].changed)
			remove_stale_temps(t, &cs->files[i], r);
	err_clear(&ig);
	collect_warnings(t, &before, &dummy1, &dummy2, &ig, &ig);
	if (make_backup(cs, description, r->backup_id, sizeof(r->backup_id), e) < 0) {
		r->backup_id[0] = '\0';
		goto out;
	}
	step(r, "backup", r->backup_id);
	if (marker_set(t, r->backup_id, e) < 0)
		goto out;
	marked = 1;
	for (size_t i = 0; i < cs->n; i++) {
		struct cs_file *f = &cs->files[i];

		if (!f->changed)
			continue;
		if (write_new(t, f, e) < 0) {
			fail_restored(cs, r, e);
			goto out;
		}
		step(r, f->remove ? "remove" : "write", f->path);
	}
	for (size_t i = 0; i < cs->n; i++) {
		struct cs_file *f = &cs->files[i];

		if (!f->changed || f->remove || !(f->flags & CS_POSTMAP))
			continue;
		if (postfix_postmap(t, f->type, f->path, e) < 0) {
			fail_restored(cs, r, e);
			goto out;
		}
		step(r, "postmap", f->path);
	}
	if (validate(cs, &before, r, e) < 0) {
		fail_restored(cs, r, e);
		goto out;
	}
	running = postfix_running(t, e);
	if (running < 0) {
		fail_restored(cs, r, e);
		goto out;
	}
	if (running) {
		if (postfix_reload(t, e) < 0) {
			step(r, "reload: failed", NULL);
			fail_restored(cs, r, e);
			goto out;
		}
		r->reloaded = 1;
		step(r, "reload: ok", NULL);
	} else {
		step(r, "reload: not needed, Postfix is not running", NULL);
	}
	rc = 0;
out:
	/* The marker stays only when the files could not be put back. */
	if (marked && (rc == 0 || r->restored))
		marker_set(t, NULL, &ig);
	if (lock)
		t->ops->unlock(t, lock);
	buf_free(&before);
	free(lockpath);
	free(bdir);
	return rc;
}

/* ---- history and rollback ------------------------------------------------ */

/* meta_parse - read a backup's meta file (text in b, path for errors). */
static int meta_parse(const char *path, struct buf *b, struct meta *m, struct err *e)
{
	char *save = NULL, *line;
	int lineno = 0;

	memset(m, 0, sizeof(*m));
	for (line = strtok_r(b->data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *tab = strchr(line, '\t');

		lineno++;
		if (tab == NULL)
			goto bad;
		*tab++ = '\0';
		if (strcmp(line, "id") == 0) {
			snprintf(m->info.id, sizeof(m->info.id), "%s", tab);
		} else if (strcmp(line, "time") == 0) {
			m->info.when = strtoll(tab, NULL, 10);
		} else if (strcmp(line, "description") == 0) {
			snprintf(m->info.description, sizeof(m->info.description), "%s", tab);
		} else if (strcmp(line, "file") == 0) {
			struct meta_file f, *nv;
			int pos = 0;

			memset(&f, 0, sizeof(f));
			if (sscanf(tab, "%zu\t%d\t%o\t%ld\t%ld\t%d\t%d\t%31[^\t]\t%n", &f.idx,
				   &f.existed, &f.mode, &f.uid, &f.gid, &f.secret, &f.postmap, f.type,
				   &pos) != 8 || pos == 0 || tab[pos] != '/')
				goto bad;
			if (strcmp(f.type, "-") == 0)
				f.type[0] = '\0';
			nv = realloc(m->files, (m->n + 1) * sizeof(*nv));
			if (nv == NULL)
				goto nomem;
			m->files = nv;
			if ((f.path = strdup(tab + pos)) == NULL)
				goto nomem;
			m->files[m->n++] = f;
		}
		/* unknown keys are ignored so later versions can add some */
	}
	if (m->info.id[0] == '\0') {
		lineno = 0;
		goto bad;
	}
	return 0;
bad:
	meta_free(m);
	err_set(e, ERR_PARSE, "%s: line %d: corrupt backup description", path, lineno);
	return err_at(e, path, lineno);
nomem:
	meta_free(m);
	return err_set(e, ERR_NOMEM, "%s: out of memory", path);
}

/* meta_load - parse backups/ID/meta; 1 when the backup is incomplete (no meta). */
static int meta_load(struct target *t, const char *id, struct meta *m, struct err *e)
{
	struct buf b = BUF_INIT;
	struct target_stat st;
	char *path;
	size_t n = strlen(t->state_dir) + strlen(id) + 32;
	int r;

	if ((path = malloc(n)) == NULL)
		return err_set(e, ERR_NOMEM, "history: out of memory");
	snprintf(path, n, "%s/backups/%s/meta", t->state_dir, id);
	if ((r = target_stat(t, path, &st, e)) == 0 && !st.exists)
		r = 1;
	if (r == 0 && (r = target_read(t, path, &b, e)) == 0)
		r = meta_parse(path, &b, m, e);
	if (r == 0 && strcmp(m->info.id, id) != 0) {
		meta_free(m);
		err_set(e, ERR_PARSE, "%s: id %s does not match its directory", path, m->info.id);
		r = err_at(e, path, 1);
	}
	buf_free(&b);
	free(path);
	return r;
}

/* id_cmp_desc - order IDs newest first: stamp, then the numeric suffix. */
static int id_cmp_desc(const void *pa, const void *pb)
{
	const char *a = *(char *const *)pa, *b = *(char *const *)pb;
	const char *da = strrchr(a, '-'), *db = strrchr(b, '-');
	size_t la = da ? (size_t)(da - a) : strlen(a), lb = db ? (size_t)(db - b) : strlen(b);
	int c = strncmp(a, b, la < lb ? la : lb);

	if (c == 0 && la != lb)
		c = la < lb ? -1 : 1;
	if (c == 0)
		c = (da ? atoi(da + 1) : 0) - (db ? atoi(db + 1) : 0);
	return -c;
}

/* changeset_history - complete backups, newest first. */
int changeset_history(struct target *t, struct backup_info **list, size_t *count,
		      struct err *e)
{
	struct backup_info *v = NULL;
	char **names = NULL, *bdir;
	size_t nnames = 0, n = 0;

	*list = NULL;
	*count = 0;
	if ((bdir = target_state_path(t, "backups")) == NULL)
		return err_set(e, ERR_NOMEM, "history: out of memory");
	if (t->ops->list_dir(t, bdir, &names, &nnames, e) < 0) {
		free(bdir);
		return -1;
	}
	free(bdir);
	if (nnames)
		qsort(names, nnames, sizeof(*names), id_cmp_desc);
	if (nnames && (v = calloc(nnames, sizeof(*v))) == NULL)
		goto nomem;
	for (size_t i = 0; i < nnames; i++) {
		struct meta m;
		int r = meta_load(t, names[i], &m, e);

		if (r < 0)
			goto fail;
		if (r == 1)
			continue;	/* incomplete: the apply that made it died */
		v[n] = m.info;
		if (m.n && (v[n].files = calloc(m.n, sizeof(char *))) == NULL) {
			meta_free(&m);
			goto nomem;
		}
		for (size_t k = 0; k < m.n; k++) {
			v[n].files[k] = m.files[k].path;
			m.files[k].path = NULL;
		}
		v[n].nfiles = m.n;
		n++;
		meta_free(&m);
	}
	target_names_free(names, nnames);
	*list = v;
	*count = n;
	return 0;
nomem:
	err_set(e, ERR_NOMEM, "history: out of memory");
fail:
	target_names_free(names, nnames);
	changeset_history_free(v, n);
	return -1;
}

/* changeset_history_free - release a history list. */
void changeset_history_free(struct backup_info *list, size_t count)
{
	if (list == NULL)
		return;
	for (size_t i = 0; i < count; i++) {
		for (size_t k = 0; k < list[i].nfiles; k++)
			free(list[i].files[k]);
		free(list[i].files);
	}
	free(list);
}

/* changeset_rollback - restore a backup through a change set of its own. */
int changeset_rollback(struct target *t, const char *id, struct apply_report *r,
		       struct err *e)
{
	struct backup_info *list = NULL;
	struct changeset *cs = NULL;
	struct buf data = BUF_INIT;
	struct meta m;
	char want[64], desc[128], *path = NULL;
	size_t count = 0, n;
	int rc = -1, found = 0;

	memset(&m, 0, sizeof(m));
	if (changeset_history(t, &list, &count, e) < 0)
		return -1;
	for (size_t i = 0; i < count && !found; i++)
		if (id == NULL || strcmp(list[i].id, id) == 0) {
			snprintf(want, sizeof(want), "%s", list[i].id);
			found = 1;
		}
	changeset_history_free(list, count);
	if (!found) {
		if (id)
			return err_set(e, ERR_NOTFOUND, "no backup %s in %s/backups", id,
				       t->state_dir);
		return err_set(e, ERR_NOTFOUND, "no backups in %s/backups", t->state_dir);
	}
	if (meta_load(t, want, &m, e) != 0)
		return -1;
	n = strlen(t->state_dir) + strlen(want) + 64;
	if ((cs = changeset_new(t)) == NULL || (path = malloc(n)) == NULL) {
		err_set(e, ERR_NOMEM, "rollback: out of memory");
		goto out;
	}
	for (size_t i = 0; i < m.n; i++) {
		struct meta_file *f = &m.files[i];
		unsigned flags = (f->secret ? CS_SECRET : 0) | (f->postmap ? CS_POSTMAP : 0);

		if (!f->existed) {
			if (changeset_stage_remove(cs, f->path, flags, e) < 0)
				goto out;
			continue;
		}
		snprintf(path, n, "%s/backups/%s/file.%zu", t->state_dir, want, f->idx);
		if (target_read(t, path, &data, e) < 0 ||
		    changeset_stage_map(cs, f->path, data.data, data.len, f->mode, flags, f->type,
					e) < 0)
			goto out;
		buf_wipe_free(&data);
		buf_init(&data, 0);
	}
	snprintf(desc, sizeof(desc), "rollback to %s", want);
	rc = changeset_apply(cs, desc, r, e);
out:
	buf_wipe_free(&data);
	meta_free(&m);
	free(path);
	changeset_free(cs);
	return rc;
}
