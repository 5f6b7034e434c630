/*
 * queue_reason - a delay reason as a group key: the words that say why
 * mail waits, with what differs from one message to the next folded, so
 * "host mx1.example[192.0.2.1] said: 421 4.7.0 rate limited, try again in
 * 17 seconds" and the same from mx2 in 38 seconds are one group.
 *
 * The rules (in order):
 *   - qmgr's "delivery temporarily suspended: " (the destination was
 *     marked dead after an earlier failure; the cause follows) goes;
 *   - host[address] with an optional :port, IP addresses, e-mail
 *     addresses and domain names become "*";
 *   - the SMTP reply code (3 digits before an enhanced status code, at
 *     the start or after "said: ") and enhanced status codes (4.7.0,
 *     4.7.28) stay; every other run of digits becomes "#";
 *   - runs of blanks become one blank.
 * A reason with nothing but blanks normalises to "".
 *
 * Errors: -1 only when out cannot grow.
 */
#ifndef RELAYDECK_QUEUE_REASON_H
#define RELAYDECK_QUEUE_REASON_H

#include "buf.h"

/* queue_reason_normalize - the group key of reason, appended to out. */
int queue_reason_normalize(const char *reason, struct buf *out);

#endif
