/*
 * logfollow - follow a mail log across rotation. See logfollow.h.
 */
#include "config.h"
#include "logfollow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "logsrc.h"
#include "target.h"

struct logfollow *logfollow_new(const char *path, const struct logfollow_filter *f,
				int from_start)
{
	struct logfollow *lf = calloc(1, sizeof(*lf));

	if (lf == NULL)
		return NULL;
	if (f)
		lf->f = *f;
	lf->from_start = from_start;
	if (path && (lf->path = strdup(path)) == NULL) {
		free(lf);
		return NULL;
	}
	logscan_clock_init(&lf->clock, time(NULL));
	return lf;
}

void logfollow_free(struct logfollow *lf)
{
	if (lf == NULL)
		return;
	for (size_t i = 0; i < LOGFOLLOW_SENDERS; i++)
		free(lf->senders[i].sender);
	free(lf->path);
	free(lf);
}

static unsigned slot_of(const char *qid, size_t n)
{
	unsigned h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)qid[i]) * 16777619u;
	return h % LOGFOLLOW_SENDERS;
}

/* inside - the value after name (up to end_ch) contains want. */
static int inside(const char *line, size_t len, const char *name, char end_ch, const char *want)
{
	const char *p = memmem(line, len, name, strlen(name)), *e;

	if (p == NULL)
		return 0;
	p += strlen(name);
	e = memchr(p, end_ch, (size_t)(line + len - p));
	if (e == NULL)
		e = line + len;
	return memmem(p, (size_t)(e - p), want, strlen(want)) != NULL;
}

int logfollow_match(struct logfollow *lf, const char *line, size_t len)
{
	struct logscan_view v;
	const struct logfollow_filter *f = &lf->f;
	int parsed = logscan_split(line, len, &lf->clock, &v) == 0;

	/* learn the sender of each message (bounded table, newest wins) */
	if (parsed && v.queue_id && v.qidlen < sizeof(lf->senders[0].qid) && v.textlen > 6 &&
	    memcmp(v.text, "from=<", 6) == 0) {
		unsigned s = slot_of(v.queue_id, v.qidlen);
		const char *e = memchr(v.text + 6, '>', v.textlen - 6);

		if (e) {
			free(lf->senders[s].sender);
			lf->senders[s].sender = strndup(v.text + 6, (size_t)(e - v.text - 6));
			memcpy(lf->senders[s].qid, v.queue_id, v.qidlen);
			lf->senders[s].qid[v.qidlen] = '\0';
		}
	}
	if (f->text && memmem(line, len, f->text, strlen(f->text)) == NULL)
		return 0;
	if (f->status) {
		if (strcmp(f->status, "reject") == 0) {
			if (memmem(line, len, "reject: ", 8) == NULL)
				return 0;
		} else {
			char want[64];

			snprintf(want, sizeof(want), "status=%s", f->status);
			if (memmem(line, len, want, strlen(want)) == NULL)
				return 0;
		}
	}
	if (f->relay && !inside(line, len, "relay=", ',', f->relay))
		return 0;
	if (f->rcpt && !inside(line, len, "to=<", '>', f->rcpt))
		return 0;
	if (f->sender) {
		unsigned s;

		if (!parsed || v.queue_id == NULL)
			return 0;
		s = slot_of(v.queue_id, v.qidlen);
		if (lf->senders[s].sender == NULL || strlen(lf->senders[s].qid) != v.qidlen ||
		    memcmp(lf->senders[s].qid, v.queue_id, v.qidlen) != 0 ||
		    strstr(lf->senders[s].sender, f->sender) == NULL)
			return 0;
	}
	return 1;
}

enum logfollow_kind logfollow_kind(const char *line, size_t len)
{
	if (memmem(line, len, "status=sent", 11))
		return LF_SENT;
	if (memmem(line, len, "status=deferred", 15))
		return LF_DEFERRED;
	if (memmem(line, len, "status=bounced", 14) || memmem(line, len, "status=expired", 14) ||
	    memmem(line, len, "reject: ", 8))
		return LF_BOUNCED;
	return LF_OTHER;
}

int logfollow_poll(struct logfollow *lf, struct target *t, const struct logsrc_sink *sink,
		   struct err *e)
{
	struct target_stat st;
	long long next;
	int rotated = 0;

	if (target_stat(t, lf->path, &st, e) < 0)
		return -1;
	if (!st.exists)
		return 0;	/* between the rename and the new file */
	/* Only a local stat's inode names the file; SFTP's id is the path's. */
	st.has_id = st.has_id && strcmp(t->ops->kind, "local") == 0;
	if (!lf->started) {
		lf->started = 1;
		lf->off = lf->from_start ? 0 : st.size;
		lf->ino = st.ino;
		lf->has_id = st.has_id;
	} else if (st.has_id && lf->has_id && st.ino != lf->ino) {
		rotated = 1;
	} else if (st.size < lf->off) {
		rotated = 1;	/* renamed over SFTP (no inode), or truncated in place */
	}
	if (rotated) {
		char old[2048];
		struct target_stat os;
		struct err ignore;

		snprintf(old, sizeof(old), "%s.1", lf->path);
		if (target_stat(t, old, &os, &ignore) == 0 && os.exists &&
		    (os.has_id = os.has_id && st.has_id, 1) &&
		    ((os.has_id && lf->has_id && os.ino == lf->ino) ||
		     (!(os.has_id && lf->has_id) && os.size >= lf->off)))
			logsrc_read_file(t, old, lf->off, 1, NULL, sink, &ignore);
		lf->off = 0;
		lf->ino = st.ino;
		lf->has_id = st.has_id;
		lf->rotations++;
	}
	if (st.size == lf->off)
		return 0;
	if (logsrc_read_file(t, lf->path, lf->off, 0, &next, sink, e) < 0)
		return -1;
	lf->off = next;
	return 0;
}
