/*
 * review - diff, confirm, apply, result for direct screen edits. See
 * review.h.
 */
#include "config.h"
#include "review.h"

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "changeset.h"
#include "result.h"
#include "target.h"

/* review_clear - free the unanswered change set (it may hold a secret,
 * which changeset_free wipes). */
void review_clear(struct review *rv)
{
	changeset_free(rv->cs);
	rv->cs = NULL;
	rv->desc[0] = '\0';
}

/* review_open - the question comes before the diff, so it shows first;
 * the dialog scrolls down through a diff taller than the screen. */
int review_open(struct review *rv, struct screen *s, struct changeset *cs, const char *what,
		const char *desc, console_dialog_fn done)
{
	struct console *c = s->c;
	struct buf text = BUF_INIT, diff = BUF_INIT;
	struct w_dialog *d;
	struct err e;
	size_t n;

	review_clear(rv);
	err_clear(&e);
	if (changeset_diff(cs, &diff, &e) < 0) {
		console_error(c, &e);
		changeset_free(cs);
		buf_free(&diff);
		return -1;
	}
	if ((n = changeset_changed(cs, &e)) == 0) {
		console_message(c, ROLE_WARNING, "%s: no change, nothing to apply", what);
		changeset_free(cs);
		buf_free(&diff);
		return -1;
	}
	rv->cs = cs;
	snprintf(rv->desc, sizeof(rv->desc), "%s", desc);
	buf_printf(&text, "%s: apply %zu changed file(s) to %s? y/n\n\n", what, n,
		   console_target(c)->config_dir);
	if (diff.len)
		buf_append(&text, diff.data, diff.len);
	else
		buf_puts(&text, "Contents unchanged: only the mode and owner are set again.");
	while (text.len && text.data[text.len - 1] == '\n')
		text.data[--text.len] = '\0';
	d = w_dialog_confirm("Review and apply", text.data ? text.data : "");
	if (d)
		w_dialog_set_tag(d, REVIEW_TAG);
	console_dialog(c, s, d, done);
	buf_free(&text);
	buf_free(&diff);
	return d ? 0 : -1;
}

/* review_done - the answer to review_open's question. */
void review_done(struct review *rv, struct screen *s, enum w_dlg_result r)
{
	struct console *c = s->c;
	struct apply_report rep;
	struct err e;
	int rc;

	if (r != W_DLG_OK || rv->cs == NULL) {
		if (rv->cs)
			console_message(c, ROLE_WARNING, "not applied: %s", rv->desc);
		review_clear(rv);
		return;
	}
	apply_report_init(&rep);
	err_clear(&e);
	console_busy(c, "applying: backup, write, postmap, postfix check, reload ...");
	rc = changeset_apply(rv->cs, rv->desc, &rep, &e);
	if (rc < 0 && e.code == ERR_CHANGED) {
		/* the edit was made on the file as it was: make it again on this one */
		size_t n = strlen(e.msg);

		snprintf(e.msg + n, sizeof(e.msg) - n, ": the screen now shows the file as it "
			 "is; make the edit again on it");
	}
	if (rc == 0)
		console_message(c, ROLE_OK, "applied: %s", rv->desc);
	else
		console_error(c, &e);
	review_clear(rv);
	/* reload first: refreshing screens must not replace the result dialog */
	console_reload(c);
	result_show(c, s, "Apply", rc, &rep, &e);
	apply_report_free(&rep);
}
