/* What a home holds, for a person or a script: the outbox, batches, the values the server did
 * not apply, workflow actions, the replica, the last sync. */
#ifndef GT_STATUS_H
#define GT_STATUS_H

#include <stdio.h>

#include "home.h"

/* Values listed per conflict group for a person before "... (more)". */
#define GT_STATUS_MAX_LISTED 50u
/* Workflow actions listed for a person, and for a script. */
#define GT_STATUS_ACTIONS_HUMAN 20u
#define GT_STATUS_ACTIONS_PLAIN 1000u

/*
 * Writes h's status to out: for a person (plain 0) sentences and lists grouped by reason; for a
 * script (plain 1) key=value lines ("conflict reason=... value=..."), a value quoted when it
 * holds spaces, quotes, '=' or controls. Text from outside (server messages, reasons, values,
 * sources) is escaped for the terminal (termtext.h). Returns 0, or the store's failure (a
 * sentence on h->err).
 */
int gt_status_print(struct gt_home *h, FILE *out, int plain);

#endif
