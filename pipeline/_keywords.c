/* pipeline._keywords: every occurrence of a set of keywords in a text, in one pass (Aho-Corasick), for the
 * taxonomy's keyword columns (pipeline/linear.py, KeywordIndex).
 *
 * pyahocorasick does the same, and is the fallback when this module is not built; but it finds a character's
 * transition by scanning the state's children in a list, and the root has hundreds of children (the keywords'
 * first characters), so most characters of a text cost a long scan: a fifth of scoring's time outside MeCab went
 * there. Here every transition is one probe of a hash table keyed by (state, code point).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>

#if PY_VERSION_HEX < 0x030C0000
#define READY(s) PyUnicode_READY(s) /* before 3.12 a str may still need its compact form made */
#else
#define READY(s) 0
#endif

typedef struct {
    uint64_t key; /* state << 21 | code point, + 1 (0 marks an empty slot) */
    int32_t next;
} Slot;

typedef struct {
    PyObject_HEAD
    Slot *slots;
    size_t capacity; /* a power of two, at least twice the transitions */
    int32_t states;
    int32_t *fail;     /* the longest proper suffix of the state's string that is also a state */
    int32_t *out;      /* the keyword that ends at this state, or -1 */
    int32_t *suffix;   /* the nearest state along `fail` whose `out` is a keyword, or -1 */
} Keywords;

static uint64_t slot_key(int32_t state, Py_UCS4 c) { return (((uint64_t)state << 21) | c) + 1; }

static size_t slot_of(const Keywords *self, uint64_t key) {
    uint64_t h = key * 0x9E3779B97F4A7C15ULL;
    size_t j = (size_t)(h >> 17) & (self->capacity - 1);
    while (self->slots[j].key && self->slots[j].key != key) j = (j + 1) & (self->capacity - 1);
    return j;
}

static int32_t go(const Keywords *self, int32_t state, Py_UCS4 c) {
    const Slot *s = &self->slots[slot_of(self, slot_key(state, c))];
    return s->key ? s->next : -1;
}

static void forget(Keywords *self) {
    free(self->slots), free(self->fail), free(self->out), free(self->suffix);
    self->slots = NULL, self->fail = self->out = self->suffix = NULL;
}

/* Keywords(words): words[i] is keyword i (non-empty; a repeated word is reported under its last index). */
static int Keywords_init(Keywords *self, PyObject *args, PyObject *kwargs) {
    PyObject *words;
    static char *names[] = {"words", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O!", names, &PyList_Type, &words)) return -1;
    if (self->slots) {
        PyErr_SetString(PyExc_RuntimeError, "Keywords is already initialised");
        return -1;
    }
    Py_ssize_t n = PyList_GET_SIZE(words), total = 1;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *w = PyList_GET_ITEM(words, i);
        if (!PyUnicode_Check(w) || READY(w) < 0 || PyUnicode_GET_LENGTH(w) == 0) {
            PyErr_SetString(PyExc_ValueError, "keywords must be non-empty str");
            return -1;
        }
        total += PyUnicode_GET_LENGTH(w);
    }
    self->capacity = 64;
    while (self->capacity < (size_t)total * 2) self->capacity *= 2;
    self->slots = calloc(self->capacity, sizeof(Slot));
    self->fail = malloc(total * sizeof(int32_t));
    self->out = malloc(total * sizeof(int32_t));
    self->suffix = malloc(total * sizeof(int32_t));
    /* the trie's edges, to visit it breadth first: parent, character, child */
    int32_t *edge_parent = malloc(total * sizeof(int32_t)), *edge_child = malloc(total * sizeof(int32_t));
    Py_UCS4 *edge_char = malloc(total * sizeof(Py_UCS4));
    int32_t *depth = malloc(total * sizeof(int32_t)), *order = malloc(total * sizeof(int32_t));
    if (!self->slots || !self->fail || !self->out || !self->suffix || !edge_parent || !edge_child || !edge_char ||
        !depth || !order) {
        free(edge_parent), free(edge_child), free(edge_char), free(depth), free(order);
        forget(self); /* half-built: scan() must see an object that was never set up */
        PyErr_NoMemory();
        return -1;
    }
    int32_t states = 1, edges = 0;
    self->out[0] = -1;
    depth[0] = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *w = PyList_GET_ITEM(words, i);
        int kind = PyUnicode_KIND(w);
        const void *data = PyUnicode_DATA(w);
        int32_t state = 0;
        for (Py_ssize_t p = 0; p < PyUnicode_GET_LENGTH(w); p++) {
            Py_UCS4 c = PyUnicode_READ(kind, data, p);
            size_t j = slot_of(self, slot_key(state, c));
            if (!self->slots[j].key) {
                self->slots[j].key = slot_key(state, c);
                self->slots[j].next = states;
                self->out[states] = -1;
                depth[states] = depth[state] + 1;
                edge_parent[edges] = state, edge_char[edges] = c, edge_child[edges] = states;
                edges++, states++;
            }
            state = self->slots[j].next;
        }
        self->out[state] = (int32_t)i;
    }
    self->states = states;
    /* breadth first = by depth (a counting sort of the edges), so that a state's fail link is known before its
       children's are computed */
    int32_t max_depth = 0;
    for (int32_t e = 0; e < edges; e++)
        if (depth[edge_child[e]] > max_depth) max_depth = depth[edge_child[e]];
    int32_t *start = calloc((size_t)max_depth + 2, sizeof(int32_t));
    if (!start) {
        free(edge_parent), free(edge_child), free(edge_char), free(depth), free(order);
        forget(self); /* half-built: scan() must see an object that was never set up */
        PyErr_NoMemory();
        return -1;
    }
    for (int32_t e = 0; e < edges; e++) start[depth[edge_child[e]] + 1]++;
    for (int32_t d = 1; d <= max_depth + 1; d++) start[d] += start[d - 1];
    for (int32_t e = 0; e < edges; e++) order[start[depth[edge_child[e]]]++] = e;
    self->fail[0] = 0;
    self->suffix[0] = -1;
    for (int32_t k = 0; k < edges; k++) {
        int32_t e = order[k], parent = edge_parent[e], child = edge_child[e];
        Py_UCS4 c = edge_char[e];
        int32_t f = -1;
        if (parent != 0) {
            int32_t s = self->fail[parent];
            for (;;) {
                f = go(self, s, c);
                if (f >= 0 || s == 0) break;
                s = self->fail[s];
            }
        }
        self->fail[child] = f >= 0 ? f : 0;
        int32_t fc = self->fail[child];
        self->suffix[child] = self->out[fc] >= 0 ? fc : self->suffix[fc];
    }
    free(start), free(edge_parent), free(edge_child), free(edge_char), free(depth), free(order);
    return 0;
}

/* scan(text) -> bytes: int64 pairs (index of a match's last character, keyword), every match, overlapping ones
   included (as pyahocorasick's Automaton.iter gives them). */
static PyObject *Keywords_scan(Keywords *self, PyObject *text) {
    if (!PyUnicode_Check(text)) {
        PyErr_SetString(PyExc_TypeError, "scan() takes a str");
        return NULL;
    }
    if (READY(text) < 0) return NULL;
    if (!self->slots) {
        PyErr_SetString(PyExc_RuntimeError, "Keywords is not initialised");
        return NULL;
    }
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t length = PyUnicode_GET_LENGTH(text);
    size_t size = 0, capacity = 1024;
    int64_t *found = malloc(capacity * sizeof(int64_t));
    if (!found) return PyErr_NoMemory();
    int32_t state = 0;
    for (Py_ssize_t p = 0; p < length; p++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, p);
        int32_t next;
        while ((next = go(self, state, c)) < 0 && state != 0) state = self->fail[state];
        state = next >= 0 ? next : 0;
        for (int32_t s = self->out[state] >= 0 ? state : self->suffix[state]; s >= 0; s = self->suffix[s]) {
            if (size + 2 > capacity) {
                int64_t *more = realloc(found, capacity * 2 * sizeof(int64_t));
                if (!more) {
                    free(found);
                    return PyErr_NoMemory();
                }
                found = more, capacity *= 2;
            }
            found[size++] = p;
            found[size++] = self->out[s];
        }
    }
    PyObject *bytes = PyBytes_FromStringAndSize((const char *)found, (Py_ssize_t)(size * sizeof(int64_t)));
    free(found);
    return bytes;
}

static void Keywords_dealloc(Keywords *self) {
    forget(self);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyMethodDef Keywords_methods[] = {
    {"scan", (PyCFunction)Keywords_scan, METH_O,
     "scan(text) -> bytes: int64 pairs (index of a match's last character, keyword index), every match."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject KeywordsType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "pipeline._keywords.Keywords",
    .tp_basicsize = sizeof(Keywords),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Keywords(words): an Aho-Corasick automaton of the distinct, non-empty keywords `words`.",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Keywords_init,
    .tp_dealloc = (destructor)Keywords_dealloc,
    .tp_methods = Keywords_methods,
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "pipeline._keywords", NULL, -1, NULL};

PyMODINIT_FUNC PyInit__keywords(void) {
    if (PyType_Ready(&KeywordsType) < 0) return NULL;
    PyObject *m = PyModule_Create(&module);
    if (!m) return NULL;
    Py_INCREF(&KeywordsType);
    if (PyModule_AddObject(m, "Keywords", (PyObject *)&KeywordsType) < 0) {
        Py_DECREF(&KeywordsType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
