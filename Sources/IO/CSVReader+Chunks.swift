import Columnar
import Diagnostics
import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// The reader's parallel phase: the text split into chunks at record boundaries, each parsed
// on its own thread, and the check that the guessed boundaries held.
extension CSVReader {

    /// Chunks split at line ends. A line end counts only outside quotes, by the quote parity
    /// from `start` (a scan of the whole text up to the split) — unless no quote appears in
    /// the 64 KB before any split point and `exact` is not asked: then any line end after
    /// the split point is taken (a quoted field would have to be longer than that to hold
    /// it), and `boundariesConsistent` checks the guess afterwards all the same (a line end
    /// inside a quoted field makes the chunk before it stop elsewhere).
    static func makeChunks(text: CSVText, from start: Int, delimiter: UInt8, names: [String],
                           types: [DataType?], options: CSVOptions, exact: Bool = false) -> [CSVChunk] {
        let size = text.count - start
        let wanted = options.chunkCount ?? max(1, min(8, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))))
        let n = max(1, min(wanted, size / max(options.minChunkBytes, 1)))
        var bounds = [start]
        if n > 1 {
            let window = 1 << 16
            let quotesNearSplits = (1..<n).contains { k in
                let target = start + size * k / n
                let from = max(start, target - window)
                return memchrAny(text.base + from, csvQuote, target - from)
            }
            let parity = options.quoting && (exact || quotesNearSplits)
            let hasQuotes = parity && memchrAny(text.base + start, csvQuote, size)
            if parity {
                // That scan mapped the whole file into memory: let it go (the chunks read the
                // pages again as they parse, and release them behind them).
                text.releasePages(from: start, to: text.count)
            }
            for k in 1..<n {
                let target = start + size * k / n
                guard let b = recordBoundary(text, from: max(target, bounds[bounds.count - 1]), scanStart: start, quotes: hasQuotes),
                      b < text.count, b > bounds[bounds.count - 1] else { continue }
                bounds.append(b)
            }
        }
        bounds.append(text.count)
        return (0..<(bounds.count - 1)).map {
            CSVChunk(text: text, start: bounds[$0], end: bounds[$0 + 1], delimiter: delimiter, columnNames: names,
                     types: types, options: options)
        }
    }

    /// The first record start at or after `target`. Without quotes any line end will do;
    /// otherwise the quote parity from `scanStart` tells whether a line end is inside a field.
    static func recordBoundary(_ text: CSVText, from target: Int, scanStart: Int, quotes: Bool) -> Int? {
        let p = text.base
        var i = target
        var inQuotes = false
        if quotes {
            var count = 0
            var k = scanStart
            while k < target {
                guard let hit = memchr(p + k, Int32(csvQuote), target - k) else { break }
                count += 1
                k = (UnsafeRawPointer(hit) - UnsafeRawPointer(p)) + 1
            }
            inQuotes = count & 1 == 1
        }
        while i < text.count {
            let b = p[i]
            if b == csvQuote { inQuotes.toggle() } else if !inQuotes && (b == csvLF || b == csvCR) {
                var next = i + 1
                if b == csvCR, next < text.count, p[next] == csvLF { next += 1 }
                return next
            }
            i += 1
        }
        return nil
    }

    /// Parses `start..<end of text` in parallel chunks; falls back to one chunk when a split
    /// turned out not to be at a record boundary.
    static func parseRest(text: CSVText, from start: Int, delimiter: UInt8, names: [String], types: [DataType?],
                                  options: CSVOptions, validate: Bool, progress: ((Double) -> Void)?) -> [CSVChunk] {
        var chunks: [CSVChunk] = []
        // Split at any line end first; when that cut a quoted field, split by quote parity.
        for exact in [false, true] {
            chunks = makeChunks(text: text, from: start, delimiter: delimiter, names: names, types: types,
                                options: options, exact: exact)
            chunks.first?.progress = progress
            if chunks.count > 1 { chunks.first?.reserveForWholeText = true }
            for c in chunks { c.validate = validate }
            runChunks(chunks)
            // A chunk that found invalid bytes stopped early: the reader checks the whole text.
            if validate && chunks.contains(where: { $0.invalidUTF8 != nil || $0.nulByte != nil }) { return chunks }
            if chunks.count == 1 || boundariesConsistent(chunks, end: text.count) || chunks.contains(where: { $0.cancelled }) { return chunks }
        }
        if !boundariesConsistent(chunks, end: text.count) {
            chunks = [CSVChunk(text: text, start: start, end: text.count, delimiter: delimiter, columnNames: names,
                               types: types, options: options)]
            chunks[0].progress = progress
            chunks[0].validate = validate
            chunks[0].run()
        }
        return chunks
    }

    static func runChunks(_ chunks: [CSVChunk]) {
        if chunks.count == 1 { chunks[0].run(); return }
        let t0 = CSVTrace.now()
        DispatchQueue.concurrentPerform(iterations: chunks.count) { k in
            let t = CSVTrace.now()
            chunks[k].run()
            if getenv("SEGSH_CSV_TRACE") != nil {
                fputs("csv:   chunk \(k) \(chunks[k].end - chunks[k].start) bytes: started \(Int((t - t0) * 1000)) ms, took \(Int((CSVTrace.now() - t) * 1000)) ms\n", stderr)
            }
        }
    }

    /// Each chunk must have stopped exactly where the next one starts; a stray quote can fool
    /// the parity split, and then the file is parsed again in one chunk.
    static func boundariesConsistent(_ chunks: [CSVChunk], end: Int) -> Bool {
        for k in 0..<(chunks.count - 1) where chunks[k].error == nil && !chunks[k].cancelled {
            if chunks[k].stoppedAt != chunks[k + 1].start { return false }
        }
        return true
    }
}
