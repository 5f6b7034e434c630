/*
 * w_dialog - modal dialogs shared by the screens: a message, a yes/no
 * confirmation, and a one-line text input that can mask its value (for
 * secrets) and show a validation message (wrapped) under the field while
 * staying open. Text is wrapped; when it is taller than the screen it
 * scrolls (j/k and PgUp/PgDn; PgUp/PgDn only in an input dialog), so a
 * question about a long diff can be read whole before y/n.
 *
 * Ownership: the w_dialog_* constructors return a dialog freed with
 * w_dialog_free, which wipes the input buffer. w_dialog_value returns a
 * string owned by the dialog, valid until the next key or free.
 * Errors: constructors return NULL only when out of memory.
 */
#ifndef RELAYDECK_W_DIALOG_H
#define RELAYDECK_W_DIALOG_H

#include <curses.h>

#include "theme.h"

enum w_dlg_result { W_DLG_OPEN, W_DLG_OK, W_DLG_CANCEL };

struct w_dialog;

/* w_dialog_message - text ('\n' separates lines); role colours the title. */
struct w_dialog *w_dialog_message(const char *title, const char *text, enum theme_role role);
/* w_dialog_confirm - question answered with y or n (Esc is no). */
struct w_dialog *w_dialog_confirm(const char *title, const char *question);
/* w_dialog_input - prompt and a field pre-filled with initial; masked
 * shows '*' for every character. */
struct w_dialog *w_dialog_input(const char *title, const char *prompt, const char *initial,
				int masked);
void w_dialog_free(struct w_dialog *d);

/* w_dialog_key - feed one key; tells whether the dialog is done. */
enum w_dlg_result w_dialog_key(struct w_dialog *d, int key);

/* w_dialog_draw - centred over a screen of h x w. */
void w_dialog_draw(struct w_dialog *d, WINDOW *win, int h, int w);

/* w_dialog_cursor - 1 and the cursor position when the dialog has a field. */
int w_dialog_cursor(const struct w_dialog *d, int *y, int *x);

/* w_dialog_value - the input as UTF-8. */
const char *w_dialog_value(struct w_dialog *d);

/* w_dialog_set_error - message shown under the field ("" clears it). */
void w_dialog_set_error(struct w_dialog *d, const char *msg);

/* w_dialog_tag / w_dialog_set_tag - an int the opener uses to tell its dialogs apart. */
int w_dialog_tag(const struct w_dialog *d);
void w_dialog_set_tag(struct w_dialog *d, int tag);

#endif
