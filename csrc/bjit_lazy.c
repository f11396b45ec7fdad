/* bjit_lazy.c -- tier 1 a basic block at a time.
 *
 * A function compiled lazily first gets a head: prologue, its entry block, and the shared exits.  A branch to a
 * block that has no machine code yet goes to a small stub that leaves the machine code with
 * ACCEL_EXIT_COMPILE_BLOCK (the frame is exact at every block boundary: locals and value stack are in the
 * frame).  run_machine_code then asks the Python compiler for that block (accel_bjit_block_code), places it,
 * and re-enters the machine code straight at it through ctx->entry.  Placing a block also patches every jump
 * that was aimed at its stub, so the next time the branch goes straight there; a branch that cannot reach
 * (rel32 range) keeps its stub, which then finds the block here without compiling.  So only blocks that run
 * ever get code, and a function's cold paths (error handling, rare cases) cost nothing to compile.
 *
 * A block that cannot be compiled (the compiler failed, or it is the compiler's own code asking) is handed to
 * the interpreter at its first instruction, which is always a valid hand-back point.
 */
#include "bjit.h"
#include "internal/pycore_interp.h"

/* Machine code of block `b`, compiling it if needed; NULL: the interpreter runs it this time. */
void *
accel_bjit_block_code(PyThreadState *tstate, accel_code_state *st, PyCodeObject *co, int32_t b)
{
    accel_lazy_blocks *lz = st->lazy;
    if (lz == NULL || b < 0 || b >= lz->nblocks)
        return NULL;
    void *code = lz->code[b];
    if (code == ACCEL_BLOCK_INTERPRET || code == ACCEL_BLOCK_COMPILING)
        return NULL;
    if (code != NULL)
        return code;
    /* Not while tracing, nor while another PEP 523 evaluator replaced accel's (a debugger, a recorder in
     * CPython's tests): the compiler's own frames would run through it.  Later is fine: nothing is marked. */
    if (accel_tracing(tstate) || tstate->interp->eval_frame != accel_eval_frame)
        return NULL;
    lz->code[b] = ACCEL_BLOCK_COMPILING;  /* another thread arriving meanwhile hands back */
    int rc = accel_lazy_place_block(st, co, b, NULL) ? 1 : accel_request_block(co, b);
    if (lz->code[b] == ACCEL_BLOCK_COMPILING)  /* not placed: for good when it failed, else try again later */
        lz->code[b] = rc == 0 ? ACCEL_BLOCK_INTERPRET : NULL;
    code = lz->code[b];
    return code == ACCEL_BLOCK_INTERPRET ? NULL : code;
}

accel_lazy_blocks *
accel_lazy_new(int32_t nblocks, void *exit_address, void *error_address, const int32_t *entries)
{
    accel_lazy_blocks *lz = accel_calloc(1, sizeof(accel_lazy_blocks));
    if (lz == NULL)
        return NULL;
    lz->code = accel_calloc(nblocks ? (size_t)nblocks : 1, sizeof(void *));
    lz->entries = accel_calloc(nblocks ? 2 * (size_t)nblocks : 1, sizeof(int32_t));
    if (lz->code == NULL || lz->entries == NULL) {
        accel_free(lz->code);
        accel_free(lz->entries);
        accel_free(lz);
        return NULL;
    }
    memcpy(lz->entries, entries, 2 * (size_t)nblocks * sizeof(int32_t));
    lz->nblocks = nblocks;
    lz->exit_address = exit_address;
    lz->error_address = error_address;
    return lz;
}

void
accel_lazy_free(accel_lazy_blocks *lz)
{
    if (lz == NULL)
        return;
    for (int32_t i = 0; i < lz->nchunks; i++)
        accel_arena_free(lz->chunks[i].address, lz->chunks[i].size);
    accel_free(lz->chunks);
    accel_free(lz->patches);
    accel_free(lz->osr);
    accel_block_plan_free(lz->plan);
    accel_free(lz->code);
    accel_free(lz->entries);
    accel_free(lz);
}

/* The loop entries for OSR: n (jump_unit, block, unit, depth, bound and empty in low and high 32 bits) records. */
int
accel_lazy_set_osr(accel_lazy_blocks *lz, int32_t n, const int32_t *quads)
{
    accel_osr_entry *osr = accel_calloc(n ? (size_t)n : 1, sizeof(accel_osr_entry));
    if (osr == NULL)
        return -1;
    for (int32_t i = 0; i < n; i++) {
        const int32_t *q = quads + ACCEL_OSR_FIELDS * i;
        osr[i].jump_unit = q[0];
        osr[i].block = q[1];
        osr[i].unit = q[2];
        osr[i].depth = q[3];
        osr[i].bound = (uint64_t)(uint32_t)q[4] | (uint64_t)(uint32_t)q[5] << 32;
        osr[i].empty = (uint64_t)(uint32_t)q[6] | (uint64_t)(uint32_t)q[7] << 32;
        if (osr[i].block < 0 || osr[i].block >= lz->nblocks || osr[i].depth < 0) {
            accel_free(osr);
            return -1;
        }
    }
    accel_free(lz->osr);
    lz->osr = osr;
    lz->nosr = n;
    return 0;
}

static int
grow(void **array, int32_t *cap, int32_t need, size_t item)
{
    if (need <= *cap)
        return 0;
    int32_t n = *cap ? *cap * 2 : 8;
    while (n < need)
        n *= 2;
    void *p = accel_realloc(*array, (size_t)n * item);
    if (p == NULL)
        return -1;
    *array = p;
    *cap = n;
    return 0;
}

/* Keep a chunk of machine code (freed with the code object). */
int
accel_lazy_add_chunk(accel_lazy_blocks *lz, void *address, size_t size)
{
    if (grow((void **)&lz->chunks, &lz->chunks_cap, lz->nchunks + 1, sizeof(lz->chunks[0])) < 0)
        return -1;
    lz->chunks[lz->nchunks].address = address;
    lz->chunks[lz->nchunks].size = size;
    lz->nchunks++;
    return 0;
}

/* Aim the jump whose rel32 field is at `site` at `target`, through the arena's writable view (W^X).  The store
 * is made holding the GIL, while no other thread runs machine code.  1: done; 0: out of rel32 reach (the jump
 * keeps going to its stub, which finds the block without compiling); -1: not arena memory. */
static int
aim_jump(uint8_t *site, void *target)
{
    intptr_t d = (uint8_t *)target - (site + 4);
    if (d != (int32_t)d)
        return 0;
    int32_t disp = (int32_t)d;
    return accel_arena_write(site, &disp, 4) < 0 ? -1 : 1;
}

/* A rel32 field at `site` that jumps to block `b`'s stub until `b` is placed. */
int
accel_lazy_add_patch(accel_lazy_blocks *lz, int32_t b, uint8_t *site)
{
    if (b < 0 || b >= lz->nblocks)
        return -1;
    void *code = lz->code[b];
    if (code != NULL && code != ACCEL_BLOCK_COMPILING && code != ACCEL_BLOCK_INTERPRET)  /* placed meanwhile */
        return aim_jump(site, code) < 0 ? -1 : 0;
    if (grow((void **)&lz->patches, &lz->patches_cap, lz->npatches + 1, sizeof(lz->patches[0])) < 0)
        return -1;
    lz->patches[lz->npatches].block = b;
    lz->patches[lz->npatches].site = site;
    lz->npatches++;
    return 0;
}

/* Block `b` now starts at `address`: record it and aim every jump still going to its stub straight at it. */
int
accel_lazy_place(accel_lazy_blocks *lz, int32_t b, void *address)
{
    if (b < 0 || b >= lz->nblocks)
        return -1;
    lz->code[b] = address;
    int32_t kept = 0;
    for (int32_t i = 0; i < lz->npatches; i++) {
        if (lz->patches[i].block != b) {
            lz->patches[kept++] = lz->patches[i];
            continue;
        }
        int rc = aim_jump(lz->patches[i].site, address);
        if (rc < 0)
            return -1;
        lz->patched += rc;
    }
    lz->npatches = kept;
    return 0;
}
