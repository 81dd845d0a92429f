#ifndef PATCHTOP_CNCURSES_SHIM_H
#define PATCHTOP_CNCURSES_SHIM_H
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <wchar.h>
#include <ncursesw/curses.h>

/* Swift 6 refuses ncurses' global state and does not import its macros:
   small getters and wrappers instead. */
static inline WINDOW *pt_stdscr(void) { return stdscr; }
static inline int pt_cols(void) { return COLS; }
static inline int pt_lines(void) { return LINES; }
static inline int pt_colors(void) { return COLORS; }
static inline int pt_color_pairs(void) { return COLOR_PAIRS; }
static inline attr_t pt_a_normal(void) { return A_NORMAL; }
static inline attr_t pt_a_reverse(void) { return A_REVERSE; }
static inline attr_t pt_a_bold(void) { return A_BOLD; }
static inline attr_t pt_a_dim(void) { return A_DIM; }
static inline int pt_key_code_yes(void) { return KEY_CODE_YES; }
static inline int pt_key_resize(void) { return KEY_RESIZE; }
static inline int pt_key_mouse(void) { return KEY_MOUSE; }
static inline int pt_key_up(void) { return KEY_UP; }
static inline int pt_key_down(void) { return KEY_DOWN; }
static inline int pt_key_left(void) { return KEY_LEFT; }
static inline int pt_key_right(void) { return KEY_RIGHT; }
static inline int pt_key_ppage(void) { return KEY_PPAGE; }
static inline int pt_key_npage(void) { return KEY_NPAGE; }
static inline int pt_key_home(void) { return KEY_HOME; }
static inline int pt_key_end(void) { return KEY_END; }
static inline int pt_key_btab(void) { return KEY_BTAB; }
static inline int pt_key_enter(void) { return KEY_ENTER; }
static inline int pt_key_backspace(void) { return KEY_BACKSPACE; }

static inline void pt_setlocale(void) { setlocale(LC_ALL, ""); }
static inline int pt_isatty(void) { return isatty(0) && isatty(1); }

/* newterm instead of initscr: an unknown TERM returns NULL instead of exiting. */
static inline SCREEN *pt_newterm(void) { return newterm(NULL, stdout, stdin); }

static inline void pt_enable_mouse(void) {
    mousemask(ALL_MOUSE_EVENTS, NULL);
    mouseinterval(0);
}

/* 0: nothing; 1: press or click (x, y); 2: wheel up; 3: wheel down; 4: release (ignored). */
static inline int pt_get_mouse(int *x, int *y) {
    MEVENT ev;
    if (getmouse(&ev) != OK) return 0;
    *x = ev.x; *y = ev.y;
#ifdef BUTTON4_PRESSED
    if (ev.bstate & BUTTON4_PRESSED) return 2;
#endif
#ifdef BUTTON5_PRESSED
    if (ev.bstate & BUTTON5_PRESSED) return 3;
#endif
    if (ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED)) return 1;
    if (ev.bstate & BUTTON1_RELEASED) return 4;
    return 0;
}

/* Reads one key: returns ERR, OK (a character in *code) or KEY_CODE_YES (a key code). */
static inline int pt_get_key(int *code) {
    wint_t w = 0;
    int r = wget_wch(stdscr, &w);
    *code = (int)w;
    return r;
}

/* Draws one cell: up to 4 code points of a grapheme, with attributes and colour pair. */
static inline int pt_put_cell(int y, int x, const wchar_t *chars, attr_t attrs, short pair) {
    cchar_t c;
    if (setcchar(&c, chars, attrs, pair, NULL) != OK) return ERR;
    return mvadd_wch(y, x, &c);
}
#endif
