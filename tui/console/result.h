/*
 * result - the dialog that reports how an apply or a rollback went: the
 * steps and the warnings on success; the error, and whether the previous
 * files were restored, on failure.
 *
 * The dialog is handed to the console, which frees it.
 */
#ifndef RELAYDECK_RESULT_H
#define RELAYDECK_RESULT_H

#include "err.h"
#include "w_dialog.h"

struct console;
struct screen;
struct apply_report;

/* result_show - what ("Apply", "Rollback") ended with rc (0 or -1). */
void result_show(struct console *c, struct screen *s, const char *what, int rc,
		 const struct apply_report *r, const struct err *e);

/* result_show_then - the same; done gets the dialog (tagged tag) when it closes. */
void result_show_then(struct console *c, struct screen *s, const char *what, int rc,
		      const struct apply_report *r, const struct err *e,
		      int (*done)(struct screen *, struct w_dialog *, enum w_dlg_result), int tag);

#endif
