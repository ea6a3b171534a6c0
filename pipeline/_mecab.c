/* pipeline._mecab: MeCab's best path as integer word ids, for the tokenizer's fast path (pipeline/tokenizer.py).
 *
 * Scoring spent as long turning MeCab's text output back into words (MeCab writing each word's feature string,
 * Python decoding it, splitting it into lines and hashing each line) as the bare tokenizer spends on a whole text.
 * Here the best path is walked in C: each word becomes the id of its (feature, surface) pair, found in a hash
 * table, and only a pair never seen before reaches Python, as (surface, feature) strings, so that the tokenizer
 * decides what it means once.
 *
 * The MeCab library is the one fugashi ships (dlopen: nothing to link at build time). A MeCab word's feature
 * pointer points into the dictionary, which stays mapped while the tagger lives, so the pointer and the surface
 * together name a dictionary entry (an unknown word's feature is shared by its character class: the surface tells
 * them apart). The tokenizer checks this module's words against fugashi's on a probe text before it trusts it.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <dlfcn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The part of MeCab 0.996's mecab.h read here (MeCab is BSD / LGPL / GPL licensed; BSD terms taken). */
typedef struct mecab_node_t mecab_node_t;
struct mecab_node_t {
    mecab_node_t *prev;
    mecab_node_t *next;
    mecab_node_t *enext;
    mecab_node_t *bnext;
    void *rpath;
    void *lpath;
    const char *surface;
    const char *feature;
    unsigned int id;
    unsigned short length;
    unsigned short rlength;
    unsigned short rcAttr;
    unsigned short lcAttr;
    unsigned short posid;
    unsigned char char_type;
    unsigned char stat;
};
#define MECAB_BOS_NODE 2
#define MECAB_EOS_NODE 3

typedef void *(*new_fn)(int, char **);
typedef const mecab_node_t *(*tonode_fn)(void *, const char *, size_t);
typedef const char *(*strerror_fn)(void *);
typedef void (*destroy_fn)(void *);
typedef const char *(*version_fn)(void);

typedef struct {
    const char *feature;
    char *surface; /* a copy: MeCab's points into the input text */
    uint32_t length;
    int32_t id;
    uint64_t hash;
} Entry;

typedef struct {
    PyObject_HEAD
    void *library;
    void *mecab;
    tonode_fn tonode;
    strerror_fn strerror;
    destroy_fn destroy;
    Entry *slots; /* open addressing; id < 0 marks an empty slot */
    size_t capacity, used;
    int busy; /* inside ids(): MeCab may be parsing without the GIL */
} Words;

static uint64_t hash_word(const char *feature, const char *surface, size_t length) {
    uint64_t h = 1469598103934665603ULL ^ (uint64_t)(uintptr_t)feature; /* FNV-1a over the surface bytes */
    for (size_t i = 0; i < length; i++) {
        h ^= (unsigned char)surface[i];
        h *= 1099511628211ULL;
    }
    return h ^ (h >> 29);
}

static void free_slots(Entry *slots, size_t capacity) {
    for (size_t i = 0; i < capacity; i++)
        if (slots[i].id >= 0) free(slots[i].surface);
    free(slots);
}

static Entry *new_slots(size_t capacity) {
    Entry *slots = malloc(capacity * sizeof(Entry));
    if (slots)
        for (size_t i = 0; i < capacity; i++) slots[i].id = -1;
    return slots;
}

static int grow(Words *self) {
    size_t capacity = self->capacity * 2;
    Entry *slots = new_slots(capacity);
    if (!slots) return -1;
    for (size_t i = 0; i < self->capacity; i++) {
        Entry *e = &self->slots[i];
        if (e->id < 0) continue;
        size_t j = e->hash & (capacity - 1);
        while (slots[j].id >= 0) j = (j + 1) & (capacity - 1);
        slots[j] = *e;
    }
    free(self->slots); /* the surfaces moved to the new table */
    self->slots = slots;
    self->capacity = capacity;
    return 0;
}

/* The id of a word; a new word gets the next id and is appended to `fresh` as (surface, feature). -1: error. */
static int32_t word_id(Words *self, const mecab_node_t *node, PyObject *fresh) {
    uint64_t h = hash_word(node->feature, node->surface, node->length);
    size_t j = h & (self->capacity - 1);
    for (;;) {
        Entry *e = &self->slots[j];
        if (e->id < 0) break;
        if (e->hash == h && e->feature == node->feature && e->length == node->length &&
            memcmp(e->surface, node->surface, node->length) == 0)
            return e->id;
        j = (j + 1) & (self->capacity - 1);
    }
    PyObject *pair = Py_BuildValue("(s#s)", node->surface, (Py_ssize_t)node->length, node->feature);
    if (!pair) return -1;
    int failed = PyList_Append(fresh, pair);
    Py_DECREF(pair);
    char *copy = malloc(node->length ? node->length : 1);
    if (failed || !copy) {
        free(copy);
        if (!failed) PyErr_NoMemory();
        return -1;
    }
    memcpy(copy, node->surface, node->length);
    Entry *e = &self->slots[j];
    e->feature = node->feature;
    e->surface = copy;
    e->length = node->length;
    e->hash = h;
    e->id = (int32_t)self->used++;
    if (self->used * 2 > self->capacity && grow(self) < 0) {
        PyErr_NoMemory();
        return -1;
    }
    return (int32_t)(self->used - 1);
}

typedef struct {
    int32_t *data;
    size_t size, capacity;
} Buffer;

static int push(Buffer *b, int32_t value) {
    if (b->size == b->capacity) {
        size_t capacity = b->capacity ? b->capacity * 2 : 4096;
        int32_t *data = realloc(b->data, capacity * sizeof(int32_t));
        if (!data) return -1;
        b->data = data;
        b->capacity = capacity;
    }
    b->data[b->size++] = value;
    return 0;
}

static PyObject *Words_ids(Words *self, PyObject *texts) {
    if (!self->mecab) {
        PyErr_SetString(PyExc_RuntimeError, "Words is not initialised");
        return NULL;
    }
    if (self->busy) { /* the GIL is released while MeCab parses: one tagger serves one call at a time */
        PyErr_SetString(PyExc_RuntimeError, "this Words is parsing in another thread");
        return NULL;
    }
    /* a private tuple: another thread may change the caller's list while MeCab runs without the GIL */
    PyObject *seq = PySequence_Tuple(texts);
    if (!seq) return NULL;
    self->busy = 1;
    PyObject *fresh = PyList_New(0);
    Buffer ids = {NULL, 0, 0};
    if (!fresh) goto fail;
    Py_ssize_t n = PyTuple_GET_SIZE(seq);
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_ssize_t size;
        PyObject *item = PyTuple_GET_ITEM(seq, i);
        const char *text = PyUnicode_AsUTF8AndSize(item, &size);
        if (!text) goto fail;
        const mecab_node_t *node;
        /* MeCab needs no Python: other threads run meanwhile (the executor threads that feed --jobs workers) */
        Py_BEGIN_ALLOW_THREADS
        node = self->tonode(self->mecab, text, (size_t)size);
        Py_END_ALLOW_THREADS
        if (!node) {
            PyErr_Format(PyExc_RuntimeError, "MeCab: %s", self->strerror(self->mecab));
            goto fail;
        }
        for (; node; node = node->next) {
            if (node->stat == MECAB_BOS_NODE || node->stat == MECAB_EOS_NODE) continue;
            int32_t id = word_id(self, node, fresh);
            if (id < 0 || push(&ids, id) < 0) goto fail;
        }
        if (push(&ids, -1) < 0) goto fail; /* the end of each text */
    }
    Py_DECREF(seq);
    self->busy = 0;
    PyObject *bytes = PyBytes_FromStringAndSize((const char *)ids.data, (Py_ssize_t)(ids.size * sizeof(int32_t)));
    free(ids.data);
    if (!bytes) {
        Py_DECREF(fresh);
        return NULL;
    }
    return Py_BuildValue("(NN)", bytes, fresh);
fail:
    if (!PyErr_Occurred()) PyErr_NoMemory();
    self->busy = 0;
    Py_DECREF(seq);
    Py_XDECREF(fresh);
    free(ids.data);
    return NULL;
}

static PyObject *Words_clear(Words *self, PyObject *unused) {
    if (self->busy) {
        PyErr_SetString(PyExc_RuntimeError, "this Words is parsing in another thread");
        return NULL;
    }
    Entry *slots = new_slots(1024);
    if (!slots) return PyErr_NoMemory();
    free_slots(self->slots, self->capacity);
    self->slots = slots;
    self->capacity = 1024;
    self->used = 0;
    Py_RETURN_NONE;
}

static Py_ssize_t Words_len(Words *self) { return (Py_ssize_t)self->used; }

static int Words_init(Words *self, PyObject *args, PyObject *kwargs) {
    const char *library;
    PyObject *argv_list;
    static char *names[] = {"library", "args", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "sO!", names, &library, &PyList_Type, &argv_list)) return -1;
    if (self->mecab) {
        PyErr_SetString(PyExc_RuntimeError, "Words is already initialised");
        return -1;
    }
    self->library = dlopen(library, RTLD_NOW | RTLD_LOCAL);
    if (!self->library) {
        PyErr_Format(PyExc_OSError, "cannot load %s: %s", library, dlerror());
        return -1;
    }
    new_fn make = (new_fn)dlsym(self->library, "mecab_new");
    self->tonode = (tonode_fn)dlsym(self->library, "mecab_sparse_tonode2");
    self->strerror = (strerror_fn)dlsym(self->library, "mecab_strerror");
    self->destroy = (destroy_fn)dlsym(self->library, "mecab_destroy");
    version_fn version = (version_fn)dlsym(self->library, "mecab_version");
    if (!make || !self->tonode || !self->strerror || !self->destroy || !version) {
        PyErr_Format(PyExc_OSError, "%s is not a MeCab library", library);
        return -1;
    }
    if (strncmp(version(), "0.996", 5) != 0) { /* the word struct above is 0.996's: another could crash */
        PyErr_Format(PyExc_OSError, "%s is MeCab %s; this walker reads 0.996", library, version());
        return -1;
    }
    Py_ssize_t argc = PyList_GET_SIZE(argv_list);
    char **argv = calloc((size_t)argc + 1, sizeof(char *));
    if (!argv) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < argc; i++) {
        argv[i] = (char *)PyUnicode_AsUTF8(PyList_GET_ITEM(argv_list, i));
        if (!argv[i]) {
            free(argv);
            return -1;
        }
    }
    Entry *slots = new_slots(1024);
    if (!slots) {
        free(argv);
        PyErr_NoMemory();
        return -1;
    }
    void *mecab = make((int)argc, argv);
    free(argv);
    if (!mecab) {
        free(slots);
        PyErr_SetString(PyExc_RuntimeError, "MeCab did not start with these arguments");
        return -1;
    }
    self->slots = slots, self->capacity = 1024; /* only a whole object is ever set up */
    self->mecab = mecab;
    return 0;
}

static void Words_dealloc(Words *self) {
    if (self->mecab) self->destroy(self->mecab);
    if (self->slots) free_slots(self->slots, self->capacity);
    /* the library stays loaded: fugashi holds it too, and unloading it buys nothing */
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyMethodDef Words_methods[] = {
    {"ids", (PyCFunction)Words_ids, METH_O,
     "ids(texts) -> (bytes, new): each text's words as int32 ids, each text followed by -1; `new` lists the "
     "(surface, feature) pairs first seen in this call, in the order of their ids."},
    {"clear", (PyCFunction)Words_clear, METH_NOARGS, "Forget every id (the next word seen gets id 0)."},
    {NULL, NULL, 0, NULL},
};

static PySequenceMethods Words_sequence = {.sq_length = (lenfunc)Words_len};

static PyTypeObject WordsType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "pipeline._mecab.Words",
    .tp_basicsize = sizeof(Words),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Words(library, args): a MeCab tagger (mecab_new(args)) from the shared library at `library`, and "
              "the ids of the (feature, surface) pairs it has produced.",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Words_init,
    .tp_dealloc = (destructor)Words_dealloc,
    .tp_methods = Words_methods,
    .tp_as_sequence = &Words_sequence,
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "pipeline._mecab", NULL, -1, NULL};

PyMODINIT_FUNC PyInit__mecab(void) {
    if (PyType_Ready(&WordsType) < 0) return NULL;
    PyObject *m = PyModule_Create(&module);
    if (!m) return NULL;
    Py_INCREF(&WordsType);
    if (PyModule_AddObject(m, "Words", (PyObject *)&WordsType) < 0) {
        Py_DECREF(&WordsType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
