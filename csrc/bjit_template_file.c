/* bjit_template_file.c -- tier-1 templates read from their file on demand.
 *
 * Why: the template file (accel/bjit/templates.py, "Kept on disk") holds every template the programs of one build
 * made -- thousands, over a megabyte, and it only grows -- while one program uses a fraction of them.  Decoding it
 * whole at a process's first compile cost milliseconds and its size in memory in every process.  So a process
 * reads only the file's header and index (templates.TemplateCache.load checks the index's checksum and hands it
 * here with the open file), and a template is read from the file the first time its key is looked up and the
 * templates dict does not have it -- by the placer (bjit_place.c, for Python's place_block and for the blocks
 * bjit_lazy_place.c places without Python) or by the Python side (template_fetch): a binary search of the index,
 * a pread of the entry, its checksum checked, and the entry put in the dict, so the next lookup is a dict hit.
 * A damaged entry (checksum mismatch, short read) is a miss: the template is then made afresh, as for any key
 * not in the file, and the Python side warns once.
 *
 * The file stays open (O_CLOEXEC): another process that renames a new file over it does not disturb this one,
 * which keeps reading the inode it opened; after fork() the child preads the inherited descriptor (pread has no
 * shared file position).  The file belongs to one templates dict (the one given with it): a lookup in another
 * dict (a test's fresh TemplateCache) never reads it.
 *
 * The layouts below are templates.FILE_HEADER and INDEX_ENTRY (tests/test_templates.py checks the sizes).
 */
#include "bjit_place.h"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

/* header: magic[9], pad[3], entries u32, the index's checksum u64; then the index: per entry, sorted by key,
 * key[30], flags u16, offset u32, length u32, checksum u64; then the entries' bytes */
enum { FILE_HEADER_SIZE = 24, INDEX_ENTRY_SIZE = 48, ENTRY_NO_TEMPLATE = 1 };

static struct {
    PyObject *templates;  /* strong: the dict the file's entries go to (templates.CACHE.templates); NULL: no file */
    PyObject *index;      /* strong: bytes, `count` index entries */
    Py_ssize_t count;
    int fd;
    uint64_t fetched;     /* entries put in the dict since a file was first set up for it */
} tf = {NULL, NULL, 0, -1, 0};

/* A 64-bit checksum of `n` bytes: FNV-1a's basis and step over 8-byte words with a xor-shift, then a final mix.
 * Each step is a bijection of the state, so a change within one word (or the tail's byte) always changes the
 * result; it runs at a few cycles per 8 bytes (an entry of ~300 bytes: well under a microsecond). */
uint64_t
accel_template_checksum(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull ^ (uint64_t)n;
    for (; n >= 8; p += 8, n -= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ w) * 0x9e3779b97f4a7c15ull;
        h ^= h >> 32;
    }
    for (; n; p++, n--)
        h = (h ^ *p) * 0x100000001b3ull;
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ull;
    return h ^ (h >> 32);
}

static const uint8_t *
find_entry(const uint8_t *key)
{
    const uint8_t *index = (const uint8_t *)PyBytes_AS_STRING(tf.index);
    Py_ssize_t lo = 0, hi = tf.count;
    while (lo < hi) {
        Py_ssize_t mid = lo + (hi - lo) / 2;
        const uint8_t *e = index + mid * INDEX_ENTRY_SIZE;
        int c = memcmp(key, e, TEMPLATE_KEY_SIZE);
        if (c == 0)
            return e;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

static int
read_at(int fd, uint8_t *buf, size_t n, off_t offset)
{
    while (n > 0) {
        ssize_t got = pread(fd, buf, n, offset);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return -1;
        buf += got;
        n -= (size_t)got;
        offset += got;
    }
    return 0;
}

/* The template's head says the size it has (bjit_place.c would raise on one that does not: a miss instead). */
static int
template_adds_up(const uint8_t *p, uint32_t length)
{
    uint16_t hot, cold, nholes;
    if (length < TEMPLATE_HEAD_SIZE)
        return 0;
    memcpy(&hot, p, 2);
    memcpy(&cold, p + 2, 2);
    memcpy(&nholes, p + 4, 2);
    return (uint64_t)length == (uint64_t)TEMPLATE_HEAD_SIZE + hot + cold + 16 * (uint64_t)nholes;
}

int
accel_template_fetch(PyObject *templates, PyObject *key, PyObject **out)
{
    *out = NULL;
    if (templates != tf.templates || !PyBytes_Check(key) || PyBytes_GET_SIZE(key) != TEMPLATE_KEY_SIZE)
        return FETCH_ABSENT;
    const uint8_t *e = find_entry((const uint8_t *)PyBytes_AS_STRING(key));
    if (e == NULL)
        return FETCH_ABSENT;
    uint16_t flags;
    uint32_t offset, length;
    uint64_t checksum;
    memcpy(&flags, e + 30, 2);
    memcpy(&offset, e + 32, 4);
    memcpy(&length, e + 36, 4);
    memcpy(&checksum, e + 40, 8);
    PyObject *value;
    if (flags & ENTRY_NO_TEMPLATE) {
        value = Py_None;
        Py_INCREF(value);
    }
    else {
        value = PyBytes_FromStringAndSize(NULL, length);
        if (value == NULL)
            return -1;
        uint8_t *p = (uint8_t *)PyBytes_AS_STRING(value);
        if (read_at(tf.fd, p, length, (off_t)offset) < 0 || accel_template_checksum(p, length) != checksum ||
                !template_adds_up(p, length)) {
            Py_DECREF(value);
            return FETCH_DAMAGED;
        }
    }
    int rc = PyDict_SetItem(templates, key, value);
    Py_DECREF(value);  /* (the dict holds it: *out is borrowed, as PyDict_GetItem's) */
    if (rc < 0)
        return -1;
    tf.fetched++;
    *out = value;
    return FETCH_FOUND;
}

/* template_file_setup(None): no file.  template_file_setup((templates, fd, index)): the templates of the file open
 * at `fd` (header and index read and checked by templates.py) go to the dict `templates` when looked up there.
 * The index is checked here too: keys strictly ascending (a binary search needs it), every entry inside the file.
 * On success the descriptor is this file's (closed at the next setup); on failure (ValueError: the index does not
 * fit the file) the caller still owns it. */
PyObject *
accel_template_file_setup(PyObject *self, PyObject *args)
{
    PyObject *templates = NULL, *index = NULL;
    int fd = -1;
    if (args != Py_None && !PyArg_ParseTuple(args, "O!iS", &PyDict_Type, &templates, &fd, &index))
        return NULL;
    Py_ssize_t count = 0;
    if (templates != NULL) {
        Py_ssize_t size = PyBytes_GET_SIZE(index);
        struct stat info;
        if (size % INDEX_ENTRY_SIZE != 0 || size / INDEX_ENTRY_SIZE > UINT32_MAX)
            return PyErr_Format(PyExc_ValueError, "template_file_setup: the index is not whole entries");
        if (fstat(fd, &info) < 0)
            return PyErr_SetFromErrno(PyExc_OSError);
        count = size / INDEX_ENTRY_SIZE;
        const uint8_t *p = (const uint8_t *)PyBytes_AS_STRING(index);
        uint64_t data_start = FILE_HEADER_SIZE + (uint64_t)size;
        for (Py_ssize_t k = 0; k < count; k++) {
            const uint8_t *e = p + k * INDEX_ENTRY_SIZE;
            uint16_t flags;
            uint32_t offset, length;
            memcpy(&flags, e + 30, 2);
            memcpy(&offset, e + 32, 4);
            memcpy(&length, e + 36, 4);
            if (k > 0 && memcmp(e - INDEX_ENTRY_SIZE, e, TEMPLATE_KEY_SIZE) >= 0)
                return PyErr_Format(PyExc_ValueError, "index not sorted");
            if (flags & ~ENTRY_NO_TEMPLATE)
                return PyErr_Format(PyExc_ValueError, "unknown entry flags");
            if (flags & ENTRY_NO_TEMPLATE)
                continue;
            if (offset < data_start || (uint64_t)offset + length > (uint64_t)info.st_size)
                return PyErr_Format(PyExc_ValueError, "an entry outside the file (truncated)");
        }
    }
    if (tf.fd >= 0 && tf.fd != fd)
        close(tf.fd);
    if (templates != tf.templates)
        tf.fetched = 0;  /* (the same dict set up again, with a newer file: its entries still count) */
    Py_XINCREF(templates);
    Py_XSETREF(tf.templates, templates);
    Py_XINCREF(index);
    Py_XSETREF(tf.index, index);
    tf.count = count;
    tf.fd = fd;
    Py_RETURN_NONE;
}

/* template_fetch(templates, key) -> the template (bytes; None: the key has none), from the dict or else read from
 * the file set up for it (and put in the dict).  KeyError: not in the dict nor the file; ValueError: the file's
 * entry is damaged. */
PyObject *
accel_template_fetch_py(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2 || !PyDict_Check(args[0])) {
        PyErr_SetString(PyExc_TypeError, "template_fetch(templates: dict, key: bytes)");
        return NULL;
    }
    PyObject *t = PyDict_GetItemWithError(args[0], args[1]);
    if (t == NULL && PyErr_Occurred())
        return NULL;
    if (t == NULL) {
        int found = accel_template_fetch(args[0], args[1], &t);
        if (found < 0)
            return NULL;
        if (found == FETCH_DAMAGED)
            return PyErr_Format(PyExc_ValueError, "an entry is damaged (checksum mismatch or short read)");
        if (found == FETCH_ABSENT) {
            PyErr_SetObject(PyExc_KeyError, args[1]);
            return NULL;
        }
    }
    Py_INCREF(t);
    return t;
}

/* template_file_counts(templates) -> (entries in the file set up for `templates`, entries fetched from it) */
PyObject *
accel_template_file_counts(PyObject *self, PyObject *templates)
{
    if (templates != tf.templates)
        return Py_BuildValue("(nK)", (Py_ssize_t)0, 0ULL);
    return Py_BuildValue("(nK)", tf.count, (unsigned long long)tf.fetched);
}

/* template_checksum(data) -> int: accel_template_checksum, for the file's writer (templates.py) */
PyObject *
accel_template_checksum_py(PyObject *self, PyObject *data)
{
    Py_buffer view;
    if (PyObject_GetBuffer(data, &view, PyBUF_SIMPLE) < 0)
        return NULL;
    uint64_t h = accel_template_checksum(view.buf, (size_t)view.len);
    PyBuffer_Release(&view);
    return PyLong_FromUnsignedLongLong(h);
}
