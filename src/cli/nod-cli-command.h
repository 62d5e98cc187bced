/* nod-cli-command.h: a command line, parsed and checked
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  NOD_CLI_VERB_HELP,          /* `nod help [VERB]`, or any verb with --help */
  NOD_CLI_VERB_ACCOUNT_ADD,   /* account add --url URL [--token-stdin] [--depth D] … */
  NOD_CLI_VERB_ACCOUNT_LIST,
  NOD_CLI_VERB_ACCOUNT_REMOVE,/* account remove URL */
  NOD_CLI_VERB_STATUS,        /* status [--json] */
  NOD_CLI_VERB_PULL,
  NOD_CLI_VERB_PUSH,          /* push [--approvals-only] */
  NOD_CLI_VERB_SYNC,          /* sync [--preview] */
  NOD_CLI_VERB_DIFF,          /* diff REF [--stat] [--file PATH] */
  NOD_CLI_VERB_APPROVE,       /* approve REF */
  NOD_CLI_VERB_UNAPPROVE,     /* unapprove REF */
  NOD_CLI_VERB_COMMENT,       /* comment REF --body TEXT|- [--file PATH --line N [--old]] */
  NOD_CLI_VERB_REPLY,         /* reply REF --discussion ID --body TEXT|- */
  NOD_CLI_VERB_RESOLVE,       /* resolve REF --discussion ID */
  NOD_CLI_VERB_UNRESOLVE,     /* unresolve REF --discussion ID */
  NOD_CLI_VERB_QUEUE_LIST,    /* queue list [--json] */
  NOD_CLI_VERB_QUEUE_RETRY,   /* queue retry OP */
  NOD_CLI_VERB_QUEUE_DISCARD, /* queue discard OP */
  NOD_CLI_VERB_QUEUE_CANCEL,  /* queue cancel OP */
  NOD_CLI_VERB_QUEUE_EDIT,    /* queue edit OP --body TEXT|- */
  NOD_CLI_VERB_MR_LIST,       /* mr list [--review|--authored|--assigned] [--json] */
  NOD_CLI_VERB_MR_SHOW,       /* mr show REF [--json] */
  NOD_CLI_VERB_REVIEW_START,  /* review start REF */
  NOD_CLI_VERB_REVIEW_SUBMIT, /* review submit REF [--approve] [--body TEXT|-] */
  NOD_CLI_VERB_REVIEW_DISCARD,/* review discard REF */
  NOD_CLI_VERB_NOTE_EDIT,     /* note edit REF --discussion ID --note N --body TEXT|- */
  NOD_CLI_VERB_NOTE_DELETE,   /* note delete REF --discussion ID --note N */
} NodCliVerb;

/* How many verbs there are: the tables of verbs check their size against it, so a verb
 * added after MR_LIST must move this along. */
#define NOD_CLI_N_VERBS (NOD_CLI_VERB_NOTE_DELETE + 1)

typedef enum
{
  NOD_CLI_LIST_ALL,
  NOD_CLI_LIST_REVIEW,
  NOD_CLI_LIST_AUTHORED,
  NOD_CLI_LIST_ASSIGNED,
} NodCliListFilter;

typedef struct
{
  NodCliVerb       verb;
  NodCliVerb       help_for;        /* HELP: which verb, or HELP itself for the overview */
  char            *project_path;    /* REF "group/sub/project!42" → "group/sub/project" */
  gint64           iid;             /*                            → 42 */
  char            *body;            /* --body TEXT; NULL with body_from_stdin */
  gboolean         body_from_stdin; /* --body - */
  char            *discussion_id;   /* --discussion ID */
  gint64           note_id;         /* --note N: a note of GitLab's; 0 without */
  char            *file_path;       /* --file PATH: a file of the changes, old or new path */
  guint            line;            /* --line N; 0 without */
  gboolean         old_side;        /* --old: --line is the old file's */
  gboolean         stat;            /* diff --stat */
  char            *op_id;           /* queue retry|discard|cancel|edit OP */
  char            *url;             /* account add --url, account remove URL */
  gboolean         token_from_stdin;
  gboolean         depth_given;     /* account add --depth … */
  guint            history_days;    /*   → 30, 90, or 0 for all history */
  gboolean         insecure_http;
  gboolean         json;
  gboolean         preview;
  gboolean         approvals_only;
  gboolean         approve;         /* review submit --approve */
  gboolean         resolve;         /* reply --resolve */
  NodCliListFilter list_filter;
} NodCliCommand;

/* Exit codes, as scripts expect them (sysexits.h's EX_TEMPFAIL for "queued"). */
#define NOD_CLI_EXIT_OK     0
#define NOD_CLI_EXIT_ERROR  1
#define NOD_CLI_EXIT_USAGE  2
#define NOD_CLI_EXIT_QUEUED 75

#define NOD_CLI_ERROR (nod_cli_error_quark ())
typedef enum
{
  NOD_CLI_ERROR_USAGE,        /* bad input: the message is one line for people */
  NOD_CLI_ERROR_TOO_LONG,     /* standard input holds more than the command takes */
} NodCliError;

GQuark         nod_cli_error_quark      (void);

/* TRUE if `nod FIRST_ARGUMENT …` is for the command line rather than the window: anything
 * but nothing and the window's own options, so that a mistyped verb, --help and an
 * unknown option are answered (exit 2 for what is wrong), by a running Nod too. */
gboolean       nod_cli_is_command_line  (const char     *first_argument);

/* Parses @argv (argv[0] is the program). On bad input returns NULL and a
 * NOD_CLI_ERROR_USAGE error whose message is one line ("nod: …"), to print with exit 2. */
NodCliCommand *nod_cli_command_parse    (int             argc,
                                         const char     *const *argv,
                                         GError        **error);
void           nod_cli_command_free     (NodCliCommand  *command);
const char    *nod_cli_verb_to_string   (NodCliVerb      verb);  /* "queue retry" */
/* The --help text of a verb (HELP: the overview), translated, ending in a newline. */
char          *nod_cli_help_text        (NodCliVerb      verb);

gboolean       nod_cli_check_body       (const char     *text,
                                         gsize           length,
                                         gboolean        from_stdin,
                                         GError        **error);

/* @word (a path, a reference) fit to quote in a one-line message: printable, at most 60
 * characters; NULL when it looks like a token, which is never repeated. */
char          *nod_cli_quote            (const char     *word);

/* Checks a GitLab instance URL for `account add`: a scheme, http only to loopback unless
 * @insecure_http; NOD_CLI_ERROR_USAGE otherwise. */
gboolean       nod_cli_check_url        (const char     *url,
                                         gboolean        insecure_http,
                                         GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NodCliCommand, nod_cli_command_free)

G_END_DECLS
