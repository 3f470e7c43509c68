/* gtsync's commands: init, key, metadata pull, import, set, push, pull, status, report. */
#ifndef GT_COMMANDS_H
#define GT_COMMANDS_H

/* Exit status when the server could not be reached (the data stays queued; try later). */
#define GT_CLIENT_EXIT_UNREACHABLE 3

/* Runs the gtsync command line (argv[1] is the command); returns the exit status: 0, 1
 * (failure), 2 (usage) or GT_CLIENT_EXIT_UNREACHABLE. Messages for a person go to stderr,
 * results to stdout. */
int gt_client_main(int argc, char **argv);

#endif
