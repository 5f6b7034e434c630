/*
 * termout - every byte the command line prints passes through
 * core/termsafe: stdout and stderr are replaced by stdio streams that
 * escape what a terminal would act on (ESC, BEL, CSI, C1, malformed
 * UTF-8) and keep LF and TAB, the layout of our own text. A reply from a
 * smart host, a certificate name, a map value or a line of a file quoted
 * in an error message can therefore never reach the terminal raw, on
 * whichever path it is printed. JSON output is unchanged by it (core/json
 * already writes those characters as \uXXXX).
 *
 * The console draws through curses on the real stdout, so it only gets
 * the stderr filter (messages printed after curses ends).
 *
 * On a terminal whose locale is not UTF-8 (LANG=C, a Latin-1 locale),
 * every non-ASCII character is escaped too (TERMSAFE_ASCII): such a
 * terminal reads the bytes of a UTF-8 character one by one, and 0x9b
 * ("\u011b" ends in it) is CSI to it. Pipes and files get UTF-8 as it is.
 *
 * The new streams write to file descriptors 1 and 2 directly, at most
 * a 16 KiB chunk escaped at a time, whatever size stdio hands over;
 * fileno() on them returns -1: ask isatty(STDOUT_FILENO), not
 * isatty(fileno(stdout)).
 * Errors: termout_install leaves a stream as it was when it cannot wrap it;
 * a failed write shows as usual (short fwrite, ferror, EOF from fflush).
 */
#ifndef RELAYDECK_TERMOUT_H
#define RELAYDECK_TERMOUT_H

#define TERMOUT_STDOUT 0x1
#define TERMOUT_STDERR 0x2

/* termout_install - wrap stdout and/or stderr (TERMOUT_* bits). */
void termout_install(unsigned which);

#endif
