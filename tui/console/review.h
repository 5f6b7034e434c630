/*
 * review - the end of every direct edit made on a console screen
 * (Credentials, Maps): show the change set's diff (secret files masked)
 * in a confirmation that scrolls (a long diff is read whole before the
 * answer), apply it on "y", report with the result dialog and reload
 * the console's model.
 *
 * A screen embeds a struct review and routes the answer of the dialog
 * review_open opened (tag REVIEW_TAG) to review_done.
 * Ownership: review_open takes cs in every case; review_done and
 * review_clear free it. Errors go to the message line.
 */
#ifndef RELAYDECK_REVIEW_H
#define RELAYDECK_REVIEW_H

#include "screens.h"

struct changeset;

#define REVIEW_TAG 900	/* tag of the confirmation dialog */

struct review {
	struct changeset *cs;
	char desc[256];		/* stored with the backup; never holds a secret */
};

/* review_open - diff cs and ask "what: apply N changed file(s) to DIR?";
 * done gets the answer. 0 when the dialog is open, -1 when there was
 * nothing to apply or the diff failed (cs freed, message shown). */
int review_open(struct review *rv, struct screen *s, struct changeset *cs, const char *what,
		const char *desc, console_dialog_fn done);

/* review_done - apply on W_DLG_OK, show the result, reload; always frees cs. */
void review_done(struct review *rv, struct screen *s, enum w_dlg_result r);

/* review_clear - drop a change set that was never answered. */
void review_clear(struct review *rv);

#endif
