// Fixed-argument wrappers around libedit's variadic el_set/el_get/history calls,
// which Swift cannot call directly, plus a few C facilities the shell needs
// (locale, terminal size) reached without touching C globals from Swift.
#ifndef SEGSH_CLIBEDIT_SHIM_H
#define SEGSH_CLIBEDIT_SHIM_H
#include <histedit.h>
#include <stdio.h>
#include <string.h>
#include <locale.h>
#include <langinfo.h>
#include <unistd.h>
#include <sys/ioctl.h>

typedef char *(*segsh_prompt_fn)(EditLine *);
typedef unsigned char (*segsh_command_fn)(EditLine *, int);

// MARK: - Locale

/// Sets the locale from the environment; if that is not UTF-8, switches LC_CTYPE to C.UTF-8.
/// Without this libedit silently drops non-ASCII input. Returns 1 when the codeset is UTF-8.
static inline int segsh_setup_utf8_locale(void) {
    setlocale(LC_ALL, "");
    const char *codeset = nl_langinfo(CODESET);
    if (codeset && (strcmp(codeset, "UTF-8") == 0 || strcmp(codeset, "utf8") == 0)) return 1;
    if (setlocale(LC_CTYPE, "C.UTF-8") == NULL) setlocale(LC_CTYPE, "en_US.UTF-8");
    codeset = nl_langinfo(CODESET);
    return codeset && strcmp(codeset, "UTF-8") == 0;
}

// MARK: - Terminal

/// The width in columns of the terminal on `fd`, or 0 when it is not a terminal.
static inline int segsh_terminal_width(int fd) {
    struct winsize ws;
    if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
    return 0;
}

// MARK: - EditLine settings

/// An editor on the process's standard streams.
static inline EditLine *segsh_el_init_std(const char *program) {
    return el_init(program, stdin, stdout, stderr);
}


static inline int segsh_el_set_prompt(EditLine *el, segsh_prompt_fn fn) {
    return el_set(el, EL_PROMPT, fn);
}

/// A prompt whose non-printing parts (colour escapes) are enclosed in `delimiter` characters.
static inline int segsh_el_set_prompt_esc(EditLine *el, segsh_prompt_fn fn, char delimiter) {
    return el_set(el, EL_PROMPT_ESC, fn, delimiter);
}

/// "emacs" or "vi".
static inline int segsh_el_set_editor(EditLine *el, const char *mode) {
    return el_set(el, EL_EDITOR, mode);
}

static inline int segsh_el_set_signal(EditLine *el, int on) {
    return el_set(el, EL_SIGNAL, on);
}

static inline int segsh_el_set_history(EditLine *el, History *h) {
    return el_set(el, EL_HIST, history, h);
}

static inline int segsh_el_set_clientdata(EditLine *el, void *data) {
    return el_set(el, EL_CLIENTDATA, data);
}

static inline void *segsh_el_get_clientdata(EditLine *el) {
    void *data = NULL;
    if (el_get(el, EL_CLIENTDATA, &data) != 0) return NULL;
    return data;
}

/// Adds a named editor command implemented by `fn`.
static inline int segsh_el_add_function(EditLine *el, const char *name, const char *help, segsh_command_fn fn) {
    return el_set(el, EL_ADDFN, name, help, fn);
}

/// Binds a key sequence (e.g. "^I") to a named editor command.
static inline int segsh_el_bind(EditLine *el, const char *key, const char *command) {
    return el_set(el, EL_BIND, key, command, NULL);
}

/// Tells libedit the terminal cannot insert or delete characters, so it redraws the rest of
/// the line instead. libedit 3.1's incremental redisplay counts the cells of wide (CJK)
/// characters wrongly when it uses those capabilities: typing `甲乙丙丁戊`, Home, Right,
/// Backspace, X, Y, Backspace, Right, Backspace showed ` 丙丁戊` while the line was
/// `X丙丁戊` (a plain C program on libedit does the same on xterm, and draws correctly on a
/// vt100, which has no such capabilities).
static inline void segsh_el_redraw_instead_of_insert_delete(EditLine *el) {
    static const char *const caps[] = {"im", "ic", "IC", "ei", "dc", "DC", "dm", "ed"};
    for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) el_set(el, EL_SETTC, caps[i], "", NULL);
}

/// Reads ~/.editrc (or $EDITRC) when `path` is NULL.
static inline int segsh_el_source(EditLine *el, const char *path) {
    return el_source(el, path);
}

/// The text before the cursor in the line being edited (a pointer into libedit's buffer,
/// valid until the next edit) and its length in bytes.
static inline const char *segsh_el_line_before_cursor(EditLine *el, int *length) {
    const LineInfo *li = el_line(el);
    if (li == NULL) { *length = 0; return ""; }
    *length = (int)(li->cursor - li->buffer);
    return li->buffer;
}

/// Bytes before the cursor and bytes in the whole line being edited.
static inline void segsh_el_line_lengths(EditLine *el, int *before, int *total) {
    const LineInfo *li = el_line(el);
    if (li == NULL) { *before = 0; *total = 0; return; }
    *before = (int)(li->cursor - li->buffer);
    *total = (int)(li->lastchar - li->buffer);
}

/// Redraws the prompt and the line (from inside an editor command).
static inline int segsh_el_refresh(EditLine *el) {
    return el_set(el, EL_REFRESH);
}

// MARK: - History

static inline int segsh_history_set_size(History *h, int size) {
    HistEvent ev;
    return history(h, &ev, H_SETSIZE, size);
}

static inline int segsh_history_set_unique(History *h, int on) {
    HistEvent ev;
    return history(h, &ev, H_SETUNIQUE, on);
}

static inline int segsh_history_enter(History *h, const char *line) {
    HistEvent ev;
    return history(h, &ev, H_ENTER, line);
}

static inline int segsh_history_load(History *h, const char *path) {
    HistEvent ev;
    return history(h, &ev, H_LOAD, path);
}

static inline int segsh_history_save(History *h, const char *path) {
    HistEvent ev;
    return history(h, &ev, H_SAVE, path);
}

static inline int segsh_history_clear(History *h) {
    HistEvent ev;
    return history(h, &ev, H_CLEAR);
}

/// Walks the history oldest first: returns the entry text, or NULL at the end.
/// `first` = 1 starts the walk.
static inline const char *segsh_history_step_oldest_first(History *h, int first) {
    HistEvent ev;
    int rc = first ? history(h, &ev, H_LAST) : history(h, &ev, H_PREV);
    if (rc != 0) return NULL;
    return ev.str;
}

#endif
