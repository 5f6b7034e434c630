/*
 * changeset - staged writes, diff, backup, apply, restore, history,
 * rollback. See changeset.h.
 *
 * State under t->state_dir (created 0700):
 *	lock			the change lock (target lock op, 5 s wait)
 *	applying		ID of the backup whose apply is under way,
 *				written before the backup; left behind only by a
 *				killed process, a power loss (or a failed
 *				restore), and changeset_recover (the next
 *				command, at open) restores that backup first
 *	backups/ID/meta		what the backup holds (format below)
 *	backups/ID/file.N	the original bytes of file N (0600), or the
 *				original file itself (a hard link) where the
 *				target can make one: the apply's rename leaves
 *				it to the backup
 *	verdict			what Postfix said of the files the last apply
 *				left (verdict_cache.h): the check before the
 *				next change is skipped while they are unchanged
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
 * the files (refuse when one is not the version the edit was made from;
 * nothing to do when none changed),
 * remove temp files a killed writer left, record Postfix's warnings
 * (the saved verdict, or postfix check and postconf -n while the backup
 * is written), back up, write, postmap while postfix check, postconf -n
 * and postfix status run (local target), judge, reload, unlock. A
 * saved verdict that would blame the change is never trusted: the old
 * files are put back and checked, then the new ones written again. A
 * failure after the backup puts every file back from it before
 * returning.
 *
 * Secrets: staged contents and the originals read for diffs and backups
 * are wiped when freed; error messages carry paths, never contents.
 */
#include "config.h"
#include "changeset.h"

#include <errno.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "diff.h"
#include "pfdiag.h"
#include "postfix.h"
#include "secrecy.h"
#include "target.h"
#include "verdict_cache.h"

#define LOCK_WAIT_MS 5000
/* at open, a marker whose apply still holds the lock is that apply's */
#define RECOVER_WAIT_MS 2000

struct cs_file {
	char *path;
	struct buf data;
	mode_t mode;
	unsigned flags;
	int remove;		/* stage the file's removal */
	char type[32];		/* postmap type, "" for the default */
	/* the version the staged content was made from (changeset_expect,
	 * or else what the first diff read): apply refuses another one. It
	 * is hashed only when it must be: a SHA-256 of a 50 MB table costs
	 * 25 ms, and comparing the bytes still held is cheaper. */
	enum { BASE_NONE, BASE_HASH, BASE_OLD, BASE_DATA } base_is;
	unsigned char base[CHANGESET_HASH_LEN];	/* BASE_HASH */
	/* filled by apply */
	int changed;
	int touched;		/* apply tried to replace or remove it */
	struct target_stat st;	/* before the change */
	struct buf old;		/* bytes before the change */
};

struct changeset {
	struct target *t;
	struct cs_file *files;
	size_t n;
	int intact;		/* a failed apply had changed no file */
	/* changeset_diff just read every file: changeset_changed counts
	 * what it read (the files the diff shows) instead of reading a
	 * 50 MB table again; staging or counting ends it */
	int diffed;
	/* a rollback: the files go back to a state Postfix ran with, so a
	 * warning they bring back was there then and is reported, not
	 * refused (refusing would leave the failed change in place) */
	int restoring;
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

	cs->diffed = 0;
	if (path == NULL || path[0] != '/' || strpbrk(path, "\t\n") != NULL) {
		err_set(e, ERR_INVALID, "stage %s: need an absolute path without tabs or newlines",
			path ? path : "(null)");
		return NULL;
	}
	for (size_t i = 0; i < cs->n; i++)
		if (strcmp(cs->files[i].path, path) == 0) {
			f = &cs->files[i];
			/* applied content is the base: kept as its hash once the
			 * content staged is another */
			if (f->base_is == BASE_DATA) {
				changeset_hash(f->data.data, f->data.len, !f->remove, f->base);
				f->base_is = BASE_HASH;
			}
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

/* changeset_stage_buf - stage data's bytes by taking them over. */
int changeset_stage_buf(struct changeset *cs, const char *path, struct buf *data, mode_t mode,
			unsigned flags, const char *type, struct err *e)
{
	struct cs_file *f;
	struct buf tmp;

	if (changeset_stage_map(cs, path, NULL, 0, mode, flags, type, e) < 0)
		return -1;
	if ((f = stage_slot(cs, path, e)) == NULL)
		return -1;
	/* stage_slot emptied f->data; keep its cap, take data's bytes */
	tmp = f->data;
	f->data = *data;
	f->data.cap = tmp.cap;
	*data = tmp;
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

/* changeset_hash - SHA-256 of a file's bytes; all zero for a missing file. */
void changeset_hash(const void *data, size_t len, int exists,
		    unsigned char out[CHANGESET_HASH_LEN])
{
	if (!exists) {
		memset(out, 0, CHANGESET_HASH_LEN);
		return;
	}
	SHA256(data ? data : (const void *)"", len, out);
}

/* changeset_expect - the version of path the staged content was made from. */
int changeset_expect(struct changeset *cs, const char *path,
		     const unsigned char hash[CHANGESET_HASH_LEN], struct err *e)
{
	for (size_t i = 0; i < cs->n; i++)
		if (strcmp(cs->files[i].path, path) == 0) {
			memcpy(cs->files[i].base, hash, CHANGESET_HASH_LEN);
			cs->files[i].base_is = BASE_HASH;
			return 0;
		}
	return err_set(e, ERR_NOTFOUND, "expect %s: not staged", path);
}

/* same_bytes - a and b hold the same version of a file. */
static int same_bytes(int a_exists, const struct buf *a, int b_exists, const struct buf *b)
{
	return a_exists == b_exists && a->len == b->len &&
	       (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

/* read_current - stat and read a file's present bytes into f->st/f->old
 * and decide whether the staged content differs. */
static int read_current(struct target *t, struct cs_file *f, struct err *e)
{
	struct buf prev = f->old;
	int prev_exists = f->st.exists, ok;

	/* the base read earlier is kept until the new read is compared */
	if (f->base_is != BASE_OLD)
		buf_wipe_free(&prev);
	buf_init(&f->old, 0);
	ok = target_stat(t, f->path, &f->st, e) == 0 &&
	     (!f->st.exists || target_read(t, f->path, &f->old, e) == 0);
	/* the first read is the version the diff shows, and apply expects;
	 * once another version (or none) is read, the base is its hash */
	if (f->base_is == BASE_NONE && ok) {
		f->base_is = BASE_OLD;
	} else if (f->base_is == BASE_OLD &&
		   !(ok && same_bytes(prev_exists, &prev, f->st.exists, &f->old))) {
		changeset_hash(prev.data, prev.len, prev_exists, f->base);
		f->base_is = BASE_HASH;
	}
	buf_wipe_free(&prev);
	if (!ok)
		return -1;
	if (f->remove)
		f->changed = f->st.exists;
	else
		f->changed = !same_bytes(f->st.exists, &f->old, 1, &f->data);
	/* a secret file others can read, or not owned by root, is rewritten
	 * 0600 root even with the same bytes (creds audit --fix) */
	if (!f->remove && (f->flags & CS_SECRET) && f->st.exists &&
	    ((f->st.mode & 077) || (t->is_root && f->st.uid != 0)))
		f->changed = 1;
	return 0;
}

static int mark_secrets(struct changeset *cs, struct err *e);

/* changeset_changed - count staged files that differ from the target. */
size_t changeset_changed(struct changeset *cs, struct err *e)
{
	size_t n = 0;
	int diffed = cs->diffed;

	cs->diffed = 0;
	/* as changeset_diff would: a secret table counts when its mode is wrong */
	if (!diffed && mark_secrets(cs, e) < 0)
		return 0;
	for (size_t i = 0; i < cs->n; i++) {
		if (!diffed && read_current(cs->t, &cs->files[i], e) < 0)
			return 0;
		n += cs->files[i].changed != 0;
	}
	return n;
}

/* is_maincf - f is the target's main.cf. */
static int is_maincf(struct target *t, const struct cs_file *f)
{
	char *p = target_config_path(t, "main.cf");
	int r = p && strcmp(p, f->path) == 0;

	free(p);
	return r;
}

/* mark_secrets - CS_SECRET for every staged file that core/secrecy says
 * is a credentials table, however its stager named it: the diff masks
 * it and apply writes it 0600. */
static int mark_secrets(struct changeset *cs, struct err *e)
{
	struct secrecy *sec = NULL;
	int r = 0;

	for (size_t i = 0; i < cs->n && r == 0; i++) {
		struct cs_file *f = &cs->files[i];
		int s;

		if ((f->flags & CS_SECRET) || is_maincf(cs->t, f))
			continue;
		if (sec == NULL && (sec = secrecy_load(cs->t, e)) == NULL)
			return -1;
		if ((s = secrecy_table(sec, f->path, e)) < 0)
			r = -1;
		else if (s)
			f->flags |= CS_SECRET;
	}
	secrecy_free(sec);
	return r;
}

/* changeset_diff - one unified diff per changed file. */
int changeset_diff(struct changeset *cs, struct buf *out, struct err *e)
{
	cs->diffed = 0;
	if (mark_secrets(cs, e) < 0)
		return -1;
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
		if (f->flags & CS_SECRET)
			r = diff_unified_masked(f->old.data, f->old.len, f->remove ? "" : f->data.data,
						f->remove ? 0 : f->data.len, la, lb,
						DIFF_CONTEXT_DEFAULT, out, e);
		else
			/* main.cf: the lines of secret parameters are masked */
			r = diff_unified_param_masked(
				f->old.data, f->old.len, f->remove ? "" : f->data.data,
				f->remove ? 0 : f->data.len, la, lb, DIFF_CONTEXT_DEFAULT,
				is_maincf(cs->t, f) ? secrecy_maincf_lines : NULL, out, e);
		free(la);
		free(lb);
		/* A created file whose content is empty has no diff lines: say so. */
		if (r == 0 && !f->st.exists && f->data.len == 0)
			r = buf_printf(out, "--- /dev/null\n+++ b%s\n", f->path) < 0
				? err_set(e, ERR_LIMIT, "diff: output too large") : 0;
		if (r < 0)
			return -1;
	}
	cs->diffed = 1;
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

/* meta_clean - the description on one line. */
static void meta_clean(const char *in, char *out, size_t n)
{
	snprintf(out, n, "%s", in ? in : "");
	for (char *p = out; *p; p++)
		if (*p == '\t' || *p == '\n' || *p == '\r')
			*p = ' ';
}

/* marker_set - name the backup being applied, or remove the marker (id
 * NULL). Both last through a power loss: the write is fsynced with its
 * directory, and so is the directory after the unlink. */
static int marker_set(struct target *t, const char *id, struct err *e)
{
	char *marker = target_state_path(t, "applying");
	int r;

	if (marker == NULL)
		return err_set(e, ERR_NOMEM, "apply: out of memory");
	if (id)
		r = target_write(t, marker, id, strlen(id), 0600, e);
	else if ((r = t->ops->unlink(t, marker, e)) == 0 && t->ops->sync_dir)
		r = t->ops->sync_dir(t, t->state_dir, e);
	free(marker);
	return r;
}

/* drop_backup - remove the files of backup id (an apply that failed
 * before writing anything keeps no half-made backup; its directory,
 * without meta, is skipped by history). Best effort. */
static void drop_backup(struct target *t, const char *id)
{
	char **names = NULL, *dir, *p;
	size_t count = 0, n;
	struct err ig;

	err_clear(&ig);
	n = strlen(t->state_dir) + strlen(id) + 16;
	if ((dir = malloc(n)) == NULL)
		return;
	snprintf(dir, n, "%s/backups/%s", t->state_dir, id);
	if (t->ops->list_dir(t, dir, &names, &count, &ig) == 0) {
		for (size_t i = 0; i < count; i++) {
			if ((p = malloc(n + strlen(names[i]) + 2)) == NULL)
				break;
			sprintf(p, "%s/%s", dir, names[i]);
			t->ops->unlink(t, p, &ig);
			free(p);
		}
		target_names_free(names, count);
	}
	free(dir);
}

/* keep_original - backup path holds f's original bytes: a second name for
 * the file itself when the target can make one and it is still the file
 * read (write_atomic then leaves it to the backup alone: no copy of a
 * large table), else a copy (0600). 0 done, -1 error. */
static int keep_original(struct target *t, const struct cs_file *f, const char *path,
			 struct err *e)
{
	struct target_stat st;
	struct err ig;
	int k = 0;

	if (f->st.has_id && t->ops->keep_as && (k = t->ops->keep_as(t, f->path, path, e)) < 0)
		return -1;
	if (k == 1) {
		err_clear(&ig);
		if (target_stat(t, path, &st, &ig) == 0 && st.exists && st.has_id &&
		    st.dev == f->st.dev && st.ino == f->st.ino && st.size == f->st.size &&
		    st.mtime == f->st.mtime)
			return 0;
		/* replaced since it was read: keep the bytes read instead */
		if (t->ops->unlink(t, path, e) < 0)
			return -1;
	}
	return target_write(t, path, f->old.data ? f->old.data : "", f->old.len, 0600, e);
}

/* make_backup - a new backup directory holding the changed files. The
 * marker naming it is written first (*marked set), so a process killed
 * at any later point leaves the marker for changeset_recover. */
static int make_backup(struct changeset *cs, const char *description, char *id, size_t idlen,
		       int *marked, struct err *e)
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
	if (marker_set(t, id, e) < 0)
		goto out;
	*marked = 1;
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
			if (keep_original(t, f, path, e) < 0)
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

/* cool_down - give a file just written a modification time two seconds
 * ago. Every Postfix program reads a file modified within the last second
 * again every 300 ms until it is older (a guard against editors that
 * write in place); these files are complete the moment they are renamed
 * into place, so the guard would only add one to two seconds to the
 * validation that follows the write (measured: postfix check on a
 * 20,609-line main.cf, 0.6 s cool, 2.7 s just written). Best effort. */
static void cool_down(struct target *t, const char *path)
{
	struct err ig;

	err_clear(&ig);
	if (t->ops->set_mtime)
		t->ops->set_mtime(t, path, (long long)time(NULL) - 2, &ig);
}

/* write_new - put the staged content of f in place (or remove it). */
static int write_new(struct target *t, struct cs_file *f, struct err *e)
{
	struct write_opts o = { 0, (uid_t)-1, (gid_t)-1 };
	int r;

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
	r = t->ops->write_atomic(t, f->path, f->data.data ? f->data.data : "", f->data.len, &o, e);
	if (r == 0)
		cool_down(t, f->path);
	return r;
}

/* secure_compiled - before postmap writes a secret table's new entries:
 * each compiled file of it (PATH.db, ...) that exists readable by group
 * or others, or not owned by root, is rewritten 0600 root first.
 * postmap keeps the mode of a compiled file that exists (only a new one
 * takes the source's), so the entries would land readable. */
static int secure_compiled(struct target *t, const struct cs_file *f, struct apply_report *r,
			   struct err *e)
{
	struct write_opts o = { 0600, t->is_root ? 0 : (uid_t)-1, (gid_t)-1 };

	for (size_t i = 0; secrecy_compiled_suffixes[i]; i++) {
		const char *suf = secrecy_compiled_suffixes[i];
		char *p = malloc(strlen(f->path) + strlen(suf) + 1);
		struct target_stat st;
		struct buf b = BUF_INIT;
		int rc = 0;

		if (p == NULL)
			return err_set(e, ERR_NOMEM, "out of memory");
		sprintf(p, "%s%s", f->path, suf);
		if (target_stat(t, p, &st, e) < 0)
			rc = -1;
		else if (st.exists && !st.is_dir && ((st.mode & 077) || (t->is_root && st.uid != 0))) {
			if (target_read(t, p, &b, e) < 0 ||
			    t->ops->write_atomic(t, p, b.data ? b.data : "", b.len, &o, e) < 0)
				rc = -1;
			else
				step(r, "made 0600 before postmap:", p);
		}
		buf_wipe_free(&b);
		free(p);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* unchanged_since - f still holds the bytes read before the change (its
 * write failed before the rename: nothing to put back, and on a full or
 * read-only file system putting it back would fail too). */
static int unchanged_since(struct target *t, const struct cs_file *f)
{
	struct target_stat st;
	struct buf b = BUF_INIT;
	struct err ig;
	int same = 0;

	err_clear(&ig);
	if (target_stat(t, f->path, &st, &ig) == 0 && st.exists && st.mode == f->st.mode &&
	    target_read(t, f->path, &b, &ig) == 0)
		same = same_bytes(1, &b, 1, &f->old);
	buf_wipe_free(&b);
	return same;
}

/* restore - put back every file the apply touched as it was: the number
 * put back, -1 when one could not be. */
static int restore(struct changeset *cs, struct err *re)
{
	struct target *t = cs->t;
	int bad = 0, n = 0;

	for (size_t i = 0; i < cs->n; i++) {
		struct cs_file *f = &cs->files[i];
		struct write_opts o = { f->st.mode, f->st.uid, f->st.gid };

		if (!f->changed || !f->touched)
			continue;
		if (!f->st.exists) {
			if (t->ops->unlink(t, f->path, re) < 0)
				bad = 1;
			continue;
		}
		if (unchanged_since(t, f))
			continue;	/* its write failed before the rename */
		n++;
		if (t->ops->write_atomic(t, f->path, f->old.data ? f->old.data : "", f->old.len,
					 &o, re) < 0) {
			bad = 1;
			continue;
		}
		cool_down(t, f->path);
		if ((f->flags & CS_POSTMAP) && postfix_postmap(t, f->type, f->path, re) < 0)
			bad = 1;
	}
	return bad ? -1 : n;
}

/* is_stale_temp - name is a temp file of a write_atomic of base or of a
 * file postmap builds from it: ".BASE[.SUFFIX].rd" and 6 (local) or 12
 * (SSH) letters and digits. */
static int is_stale_temp(const char *name, const char *base)
{
	size_t bl = strlen(base), nl = strlen(name), tail;
	const char *rest;

	if (name[0] != '.' || strncmp(name + 1, base, bl) != 0)
		return 0;
	rest = name + 1 + bl;
	for (size_t i = 0; secrecy_compiled_suffixes[i]; i++) {
		size_t sl = strlen(secrecy_compiled_suffixes[i]);

		if (strncmp(rest, secrecy_compiled_suffixes[i], sl) == 0 &&
		    strncmp(rest + sl, ".rd", 3) == 0) {
			rest += sl;
			break;
		}
	}
	if (strncmp(rest, ".rd", 3) != 0)
		return 0;
	rest += 3;
	tail = nl - (size_t)(rest - name);
	if (tail != 6 && tail != 12)
		return 0;
	for (; *rest; rest++)
		if (!((*rest >= 'a' && *rest <= 'z') || (*rest >= 'A' && *rest <= 'Z') ||
		      (*rest >= '0' && *rest <= '9')))
			return 0;
	return 1;
}

/* remove_stale_temps - temp files of a writer that was killed before its
 * rename, beside path (they may hold a secret); safe because we hold the
 * lock. */
static void remove_stale_temps(struct target *t, const char *path, struct apply_report *r)
{
	const char *slash;
	char dir[4096], full[8192], real[4096];
	char **names = NULL;
	size_t count = 0;
	struct err ig;

	err_clear(&ig);
	/* a linked file is written beside the file the link names: a killed
	 * writer's temp copy (of sasl_passwd, say) is there, not here */
	if (t->ops->link_target && t->ops->link_target(t, path, real, sizeof(real), &ig) == 1)
		path = real;
	err_clear(&ig);
	slash = strrchr(path, '/');
	if (slash == NULL || (size_t)(slash - path) >= sizeof(dir))
		return;
	snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 : (int)(slash - path), path);
	if (t->ops->list_dir(t, dir, &names, &count, &ig) < 0)
		return;
	for (size_t i = 0; i < count; i++) {
		if (!is_stale_temp(names[i], slash + 1))
			continue;
		snprintf(full, sizeof(full), "%s%s%s", dir, strcmp(dir, "/") ? "/" : "", names[i]);
		if (t->ops->unlink(t, full, &ig) == 0)
			step(r, "removed stale temporary file", full);
	}
	target_names_free(names, count);
}

/* touched_any - apply tried to replace or remove some file. */
static int touched_any(const struct changeset *cs)
{
	for (size_t i = 0; i < cs->n; i++)
		if (cs->files[i].touched)
			return 1;
	return 0;
}

/* fail_restored - keep the failing step's error, restore, and say so. */
static int fail_restored(struct changeset *cs, struct apply_report *r, struct err *e)
{
	struct err re;
	size_t n = strlen(e->msg);
	int rc;

	err_clear(&re);
	if (!touched_any(cs) || (rc = restore(cs, &re)) == 0) {
		/* e.g. the first write met a full or read-only file system */
		cs->intact = 1;
		snprintf(e->msg + n, sizeof(e->msg) - n, " (nothing was changed)");
		step(r, "nothing was changed", NULL);
	} else if (rc > 0) {
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

/* put_files - write (or remove) every changed file; -1 at the first
 * failure, the files as they are then. */
static int put_files(struct changeset *cs, struct apply_report *r, struct err *e)
{
	for (size_t i = 0; i < cs->n; i++) {
		struct cs_file *f = &cs->files[i];

		if (!f->changed)
			continue;
		f->touched = 1;
		if (write_new(cs->t, f, e) < 0)
			return -1;
		step(r, f->remove ? "remove" : "write", f->path);
	}
	return 0;
}

/* has_maps - some changed file is a map to rebuild. */
static int has_maps(const struct changeset *cs)
{
	for (size_t i = 0; i < cs->n; i++)
		if (cs->files[i].changed && !cs->files[i].remove &&
		    (cs->files[i].flags & CS_POSTMAP))
			return 1;
	return 0;
}

/* put_maps - rebuild the changed maps; -1 at the first failure. */
static int put_maps(struct changeset *cs, struct apply_report *r, struct err *e)
{
	struct target *t = cs->t;

	for (size_t i = 0; i < cs->n; i++) {
		struct cs_file *f = &cs->files[i];

		if (!f->changed || f->remove || !(f->flags & CS_POSTMAP))
			continue;
		if (((f->flags & CS_SECRET) && secure_compiled(t, f, r, e) < 0) ||
		    postfix_postmap(t, f->type, f->path, e) < 0)
			return -1;
		step(r, "postmap", f->path);
	}
	return 0;
}

/* put_new - the files, then their maps. */
static int put_new(struct changeset *cs, struct apply_report *r, struct err *e)
{
	return put_files(cs, r, e) < 0 ? -1 : put_maps(cs, r, e);
}

/* The maps rebuilt while Postfix checks the files they sit beside:
 * postmap of a large table is one CPU and the disk, postfix check a
 * chain of short programs; neither reads what the other writes (check
 * reads main.cf and master.cf, and looks at modes, not at tables). */
struct maps_job {
	struct changeset *cs;
	struct apply_report r;	/* its own steps, appended after */
	struct err e;
	int rc;
	pthread_t tid;
};

static void *maps_job_main(void *arg)
{
	struct maps_job *j = arg;

	j->rc = put_maps(j->cs, &j->r, &j->e);
	return NULL;
}

/* maps_and_verdict - put_maps and postfix_verdict_status, side by side
 * when the target allows it; -1 (e) when a map could not be rebuilt. */
static int maps_and_verdict(struct changeset *cs, struct postfix_verdict *after, int *running,
			    struct err *se, struct apply_report *r, struct err *e)
{
	struct maps_job j;
	int threaded;

	if (!has_maps(cs) || !cs->t->ops->parallel_run) {
		if (put_maps(cs, r, e) < 0)
			return -1;
		postfix_verdict_status(cs->t, after, running, se);
		return 0;
	}
	memset(&j, 0, sizeof(j));
	j.cs = cs;
	apply_report_init(&j.r);
	err_clear(&j.e);
	threaded = pthread_create(&j.tid, NULL, maps_job_main, &j) == 0;
	if (!threaded)
		j.rc = put_maps(cs, &j.r, &j.e);
	postfix_verdict_status(cs->t, after, running, se);
	if (threaded)
		pthread_join(j.tid, NULL);
	buf_append(&r->steps, j.r.steps.data ? j.r.steps.data : "", j.r.steps.len);
	apply_report_free(&j.r);
	if (j.rc < 0) {
		*e = j.e;
		return -1;
	}
	return 0;
}

/* save_verdict - keep what Postfix said of the files as they are (key
 * taken before it ran): messages once each. Best effort. */
static void save_verdict(struct target *t, const unsigned char key[VERDICT_KEY_LEN],
			 const struct postfix_verdict *v, const struct pfdiag_cmp *distinct)
{
	struct postfix_verdict keep;
	struct err ig;

	err_clear(&ig);
	postfix_verdict_init(&keep);
	keep.check = v->check;
	keep.conf = v->conf;
	if (buf_append(&keep.messages, distinct->kept.data ? distinct->kept.data : "",
		       distinct->kept.len) == 0 &&
	    buf_append(&keep.messages, distinct->fresh.data ? distinct->fresh.data : "",
		       distinct->fresh.len) == 0)
		verdict_cache_save(t, key, &keep, &ig);
	postfix_verdict_free(&keep);
}

/* saved_verdict - the verdict the last apply kept, when the files are
 * still those it checked: 1 with v filled, else 0. */
static int saved_verdict(struct target *t, struct postfix_verdict *v, struct apply_report *r)
{
	unsigned char key[VERDICT_KEY_LEN];
	struct err ig;

	err_clear(&ig);
	if (verdict_cache_key(t, key, &ig) < 0 || verdict_cache_load(t, key, v) != 1)
		return 0;
	step(r, "postfix check before the change: as at the last check of these files", NULL);
	return 1;
}

/* fresh_verdict - ask Postfix about the files as they are, and keep the
 * answer for the next apply. */
static void fresh_verdict(struct target *t, struct postfix_verdict *v)
{
	unsigned char key[VERDICT_KEY_LEN];
	struct pfdiag_cmp distinct;
	struct err ig;
	int keyed;

	err_clear(&ig);
	keyed = verdict_cache_key(t, key, &ig) == 0;
	postfix_verdict_get(t, v);
	if (!keyed)
		return;
	/* the messages once each: pfdiag_compare of nothing against them */
	pfdiag_cmp_init(&distinct);
	if (pfdiag_compare(NULL, 0, v->messages.data ? v->messages.data : "", v->messages.len,
			   &distinct) == 0)
		save_verdict(t, key, v, &distinct);
	pfdiag_cmp_free(&distinct);
}

/* A fresh verdict taken while the backup is written: postfix check is
 * mostly CPU, the backup of a large table mostly disk. */
struct verdict_job {
	struct target *t;
	struct postfix_verdict *v;
	pthread_t tid;
	int threaded;
};

static void *verdict_job_main(void *arg)
{
	struct verdict_job *j = arg;

	fresh_verdict(j->t, j->v);
	return NULL;
}

/* verdict_start - fresh_verdict in a thread when the target runs
 * commands side by side, else right here. */
static void verdict_start(struct verdict_job *j, struct target *t, struct postfix_verdict *v)
{
	j->t = t;
	j->v = v;
	j->threaded = t->ops->parallel_run &&
		      pthread_create(&j->tid, NULL, verdict_job_main, j) == 0;
	if (!j->threaded)
		fresh_verdict(t, v);
}

static void verdict_wait(struct verdict_job *j)
{
	if (j->threaded)
		pthread_join(j->tid, NULL);
	j->threaded = 0;
}

/* recheck_before - a saved verdict of the old files would blame the
 * change: ask Postfix about the old files themselves (they may have
 * changed where the saved verdict's key cannot see, a lookup table or
 * Postfix itself). Puts the old files back, asks, writes the new ones
 * again. */
static int recheck_before(struct changeset *cs, struct postfix_verdict *before,
			  struct apply_report *r, struct err *e)
{
	step(r, "checking the files as they were before the change again", NULL);
	if (restore(cs, e) < 0)
		return -1;
	fresh_verdict(cs->t, before);
	return put_new(cs, r, e);
}

/* judge - the verdict after the change against the one before: a
 * failure fails, unless Postfix gave the same one before the change (then
 * the error says so instead of blaming the change); a warning the change
 * added fails; warnings that were there before are reported. cmp gets
 * the comparison. */
static int judge(const struct postfix_verdict *before, const struct postfix_verdict *after,
		 int restoring, struct pfdiag_cmp *cmp, struct err *e)
{
	int was_rejected = postfix_verdict_rejected(before);

	if (postfix_verdict_rejected(after)) {
		if (was_rejected && pfdiag_same(before->reason, after->reason))
			return err_set(e, ERR_VALIDATE, "Postfix already rejects this main.cf, "
				       "before this change too: %s", after->reason);
		if (was_rejected)
			return err_set(e, ERR_VALIDATE, "%s (before the change Postfix rejected it "
				       "with: %s)", after->e.msg, before->reason);
		return err_set(e, ERR_VALIDATE, "%s", after->e.msg);
	}
	pfdiag_cmp_free(cmp);
	pfdiag_cmp_init(cmp);
	if (pfdiag_compare(before->messages.data, before->messages.len, after->messages.data,
			   after->messages.len, cmp) < 0)
		return err_set(e, ERR_NOMEM, "comparing Postfix's warnings: out of memory");
	if (cmp->nfresh && !was_rejected && !restoring) {
		const char *nl = strchr(cmp->fresh.data, '\n');
		int n = nl ? (int)(nl - cmp->fresh.data) : (int)cmp->fresh.len;

		if (cmp->nfresh > 1)
			return err_set(e, ERR_VALIDATE, "the change makes Postfix warn: %.*s (and "
				       "%zu more)", n, cmp->fresh.data, cmp->nfresh - 1);
		return err_set(e, ERR_VALIDATE, "the change makes Postfix warn: %.*s", n,
			       cmp->fresh.data);
	}
	return 0;
}

/* validate - rebuild the changed maps, then what Postfix says after the
 * change (and whether it runs, asked at the same time; on the local
 * target while the maps are rebuilt), judged against before. When before is the
 * saved verdict (saved) and the judgement goes against the change, the
 * old files are checked again first: a saved verdict never blames the
 * change. On success the verdict is kept for the next apply. */
static int validate(struct changeset *cs, struct postfix_verdict *before, int saved,
		    int *running, struct apply_report *r, struct err *e)
{
	struct postfix_verdict after;
	struct pfdiag_cmp cmp;
	unsigned char key[VERDICT_KEY_LEN];
	struct err se, ke;
	int keyed, judged, rc = -1;

	postfix_verdict_init(&after);
	pfdiag_cmp_init(&cmp);
	err_clear(&se);
	err_clear(&ke);
	/* the files as the check below sees them */
	keyed = verdict_cache_key(cs->t, key, &ke) == 0;
	if (maps_and_verdict(cs, &after, running, &se, r, e) < 0)
		goto out;
	if (after.check < 0)
		step(r, "postfix check: failed", NULL);
	else if (after.check == 1)
		step(r, "postfix check: skipped (needs root)", NULL);
	else
		step(r, "postfix check: ok", NULL);
	if (after.check >= 0)
		step(r, after.conf < 0 ? "postconf -n: failed" : "postconf -n: ok", NULL);
	judged = judge(before, &after, cs->restoring, &cmp, e);
	if (judged < 0 && saved && e->code == ERR_VALIDATE) {
		err_clear(e);
		if (recheck_before(cs, before, r, e) < 0)
			goto out;
		judged = judge(before, &after, cs->restoring, &cmp, e);
	}
	if (judged < 0) {
		if (!postfix_verdict_rejected(&after) && cmp.nfresh)
			step(r, "warnings: new warning", NULL);
		goto out;
	}
	if (postfix_verdict_rejected(before))
		step(r, "Postfix accepts the files again", NULL);
	r->check_skipped = after.check == 1;
	r->validated = after.check == 0;
	/* Before, Postfix stopped at its error: what it says now cannot be
	 * told apart, so all of it is reported, none of it blocks. */
	if (buf_append(&r->warnings, cmp.kept.data, cmp.kept.len) < 0 ||
	    ((postfix_verdict_rejected(before) || cs->restoring) &&
	     buf_append(&r->warnings, cmp.fresh.data, cmp.fresh.len) < 0)) {
		err_set(e, ERR_LIMIT, "Postfix's warnings: too many");
		goto out;
	}
	if (cs->restoring && cmp.nfresh && !postfix_verdict_rejected(before))
		step(r, "warnings: the restored files bring back warnings they had", NULL);
	r->nwarnings = cmp.nkept +
		       (postfix_verdict_rejected(before) || cs->restoring ? cmp.nfresh : 0);
	if (*running < 0) {
		*e = se;
		goto out;
	}
	if (keyed)
		save_verdict(cs->t, key, &after, &cmp);
	rc = 0;
out:
	pfdiag_cmp_free(&cmp);
	postfix_verdict_free(&after);
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

/* recover_interrupted - a relaydeck killed (or a machine that lost
 * power) between writing the "applying" marker and the end of its apply
 * left the marker naming its backup: put those files back (and rebuild
 * their maps) before anything else, so a half-applied change set (some
 * files new, some old, unvalidated) never stays in place. A backup
 * without meta means the apply died while backing up, before any file
 * was touched: only the backup and the marker go. Called with the lock
 * held; 1 when something was recovered, 0 when there was no marker. */
static int recover_interrupted(struct target *t, struct apply_report *r, struct err *e)
{
	struct buf id = BUF_INIT, data = BUF_INIT, cur = BUF_INIT;
	struct target_stat st;
	struct meta m;
	char *marker, *path = NULL;
	size_t n;
	int rc = -1, ml;

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
	if (id.len == 0 || id.len > 60 || strchr(id.data, '/') ||
	    (ml = meta_load(t, id.data, &m, e)) < 0) {
		err_set(e, ERR_PARSE, "%s: names no usable backup; an earlier apply was interrupted, "
			"check the files and remove this marker", marker);
		err_at(e, marker, 1);
		goto out;
	}
	if (ml == 1) {
		drop_backup(t, id.data);
		if (marker_set(t, NULL, e) < 0)
			goto out;
		step(r, "an apply was interrupted while backing up: no file had been changed",
		     id.data);
		rc = 1;
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
		struct target_stat now;

		remove_stale_temps(t, f->path, r);
		if (!f->existed) {
			if (t->ops->unlink(t, f->path, e) < 0)
				goto out;
			continue;
		}
		snprintf(path, n, "%s/backups/%s/file.%zu", t->state_dir, id.data, f->idx);
		if (target_read(t, path, &data, e) < 0 || target_stat(t, f->path, &now, e) < 0)
			goto out;
		/* the same bytes and mode still there: the kill came before its write */
		if (!(now.exists && now.mode == (mode_t)f->mode && target_read(t, f->path, &cur, e) == 0 &&
		      cur.len == data.len && memcmp(cur.data ? cur.data : "", data.data ? data.data : "",
						    data.len) == 0) &&
		    t->ops->write_atomic(t, f->path, data.data ? data.data : "", data.len, &o, e) < 0)
			goto out;
		cool_down(t, f->path);
		buf_wipe_free(&data);
		buf_wipe_free(&cur);
		buf_init(&data, 0);
		buf_init(&cur, 0);
		/* always: a postmap killed midway leaves its database torn */
		if (f->postmap && postfix_postmap(t, f->type, f->path, e) < 0)
			goto out;
	}
	if (marker_set(t, NULL, e) < 0)
		goto out;
	step(r, "recovered an interrupted apply: files restored from backup", id.data);
	rc = 1;
out:
	buf_wipe_free(&data);
	buf_wipe_free(&cur);
	buf_free(&id);
	meta_free(&m);
	free(path);
	free(marker);
	return rc;
}

/* changeset_recover - see changeset.h. */
int changeset_recover(struct target *t, struct apply_report *r, struct err *e)
{
	void *lock = NULL;
	char *marker, *lockpath;
	int rc;

	if ((marker = target_state_path(t, "applying")) == NULL)
		return err_set(e, ERR_NOMEM, "recover: out of memory");
	/* every command asks this first: the cheapest question a target has */
	rc = target_exists(t, marker, e);
	free(marker);
	if (rc <= 0)
		return rc;
	if ((lockpath = target_state_path(t, "lock")) == NULL)
		return err_set(e, ERR_NOMEM, "recover: out of memory");
	rc = t->ops->lock(t, lockpath, RECOVER_WAIT_MS, &lock, e);
	free(lockpath);
	if (rc < 0) {
		if (e->code != ERR_LOCKED)
			return -1;
		err_clear(e);	/* a live apply owns the marker */
		return 0;
	}
	rc = recover_interrupted(t, r, e);
	t->ops->unlock(t, lock);
	return rc;
}

/* is_base - the bytes f->old just read are the version f's staged
 * content was made from. */
static int is_base(const struct cs_file *f)
{
	unsigned char now[CHANGESET_HASH_LEN];

	switch (f->base_is) {
	case BASE_OLD:		/* read_current kept it: the same bytes */
		return 1;
	case BASE_DATA:
		return same_bytes(f->st.exists, &f->old, !f->remove, &f->data);
	case BASE_HASH:
		changeset_hash(f->old.data, f->old.len, f->st.exists, now);
		return memcmp(now, f->base, sizeof(now)) == 0;
	default:
		return 0;
	}
}

/* changed_since - the refusal when f is no longer the version its staged
 * content was made from: writing would undo someone else's edit. */
static int changed_since(const struct cs_file *f, struct err *e)
{
	const char *base = strrchr(f->path, '/');

	err_set(e, ERR_CHANGED, "%s changed since you staged this edit (by someone else); "
		"review the new diff", base ? base + 1 : f->path);
	return err_at(e, f->path, 0);
}

/* changeset_apply - lock, back up, write, postmap, validate, reload; restore on failure. */
int changeset_apply(struct changeset *cs, const char *description, struct apply_report *r,
		    struct err *e)
{
	struct target *t = cs->t;
	struct postfix_verdict before;
	struct err ig;
	void *lock = NULL;
	char *lockpath = NULL, *bdir = NULL;
	size_t changed = 0;
	struct verdict_job vjob = { 0 };
	int running = 0, saved = 0, marked = 0, bk, rc = -1;

	postfix_verdict_init(&before);
	cs->intact = 0;
	cs->diffed = 0;	/* apply reads every file again */
	for (size_t i = 0; i < cs->n; i++)
		cs->files[i].touched = 0;
	if (t->ops->mkdir_p(t, t->state_dir, 0700, e) < 0)
		goto out;
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
	if (mark_secrets(cs, e) < 0)
		goto out;
	for (size_t i = 0; i < cs->n; i++) {
		struct cs_file *f = &cs->files[i];

		if (read_current(t, f, e) < 0)
			goto out;
		if (!is_base(f)) {
			changed_since(f, e);
			goto out;
		}
		changed += f->changed != 0;
	}
	if (changed == 0) {
		step(r, "no changes", NULL);
		rc = 0;
		goto out;
	}
	for (size_t i = 0; i < cs->n; i++)
		if (cs->files[i].changed)
			remove_stale_temps(t, cs->files[i].path, r);
	err_clear(&ig);
	/* Before a byte changes: the checks below run programs main.cf names. */
	if (target_config_trust(t, "postfix check", e) < 0)
		goto out;
	/* What Postfix says now: the yardstick for what the change adds;
	 * asked while the backup is written when nothing was kept. */
	if (!(saved = saved_verdict(t, &before, r)))
		verdict_start(&vjob, t, &before);
	bk = make_backup(cs, description, r->backup_id, sizeof(r->backup_id), &marked, e);
	verdict_wait(&vjob);
	if (postfix_verdict_rejected(&before))
		snprintf(r->rejected_before, sizeof(r->rejected_before), "%s", before.reason);
	if (bk < 0) {
		if (marked)
			drop_backup(t, r->backup_id);
		r->backup_id[0] = '\0';
		goto out;
	}
	step(r, "backup", r->backup_id);
	if (put_files(cs, r, e) < 0 || validate(cs, &before, saved, &running, r, e) < 0) {
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
	/* Applied: what is there now is this change set's own version. */
	for (size_t i = 0; i < cs->n; i++)
		if (cs->files[i].touched)
			cs->files[i].base_is = BASE_DATA;
	rc = 0;
out:
	/* An apply that changed nothing leaves no backup to list. */
	if (marked && rc < 0 && (cs->intact || !touched_any(cs))) {
		drop_backup(t, r->backup_id);
		r->backup_id[0] = '\0';
	}
	/* The marker stays only when the files could not be put back. */
	if (marked && (rc == 0 || r->restored || cs->intact || !touched_any(cs)))
		marker_set(t, NULL, &ig);
	if (lock)
		t->ops->unlock(t, lock);
	postfix_verdict_free(&before);
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
	cs->restoring = 1;
	rc = changeset_apply(cs, desc, r, e);
out:
	buf_wipe_free(&data);
	meta_free(&m);
	free(path);
	changeset_free(cs);
	return rc;
}
