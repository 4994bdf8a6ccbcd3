import Columnar

/// Vectorized element-wise helpers that function bodies share. String functions work on the
/// dictionary entries (few) and then remap codes, never on every row's text.
enum ValueMapping {
    /// Numeric value as doubles (ints converted), with validity.
    static func doubles(_ c: Column) -> ([Double], Bitmap?)? {
        switch c.storage {
        case .double(let v): return (v, c.validity)
        case .int(let v): return (v.map { Double($0) }, c.validity)
        default: return nil
        }
    }

    /// f over a numeric value; non-finite results become null.
    static func mapDouble(_ v: Value, count: Int, _ f: (Double) -> Double) -> Value? {
        switch v {
        case .scalar(.null): return v
        case .scalar(let s):
            guard let d = s.doubleValue, s.type?.isNumeric == true else { return nil }
            let r = f(d)
            return .scalar(r.isFinite ? .double(r) : .null)
        case .column(let c):
            guard let (xs, validity) = doubles(c) else { return nil }
            var out = [Double](repeating: 0, count: xs.count)
            var bad: [Int] = []
            for i in 0..<xs.count {
                let r = f(xs[i])
                if r.isFinite { out[i] = r } else { bad.append(i) }
            }
            var vb = validity
            if !bad.isEmpty {
                if vb == nil { vb = Bitmap(count: xs.count, allValid: true) }
                for i in bad { vb?[i] = false }
            }
            return .column(Column(.double(out), validity: vb))
        case .duration: return nil
        }
    }

    /// f over each distinct string; result strings interned into a new dictionary.
    static func mapString(_ v: Value, _ f: (String) -> String?) -> Value? {
        switch v {
        case .scalar(.null): return v
        case .scalar(.string(let s)): return .scalar(f(s).map { .string($0) } ?? .null)
        case .column(let c):
            guard case .string(let codes, let dict) = c.storage else { return nil }
            let out = StringDictionary()
            var remap = [Int32](repeating: -1, count: dict.count)
            for code in 0..<dict.count {
                if let r = f(dict.string(Int32(code))) { remap[code] = out.intern(r) }
            }
            if out.count == 0 { _ = out.intern("") }
            var newCodes = [Int32](repeating: 0, count: codes.count)
            var validity = c.validity ?? Bitmap(count: codes.count, allValid: true)
            for i in 0..<codes.count {
                let m = remap[Int(codes[i])]
                if m < 0 { validity[i] = false } else { newCodes[i] = m }
            }
            return .column(Column(.string(codes: newCodes, dictionary: out), validity: validity))
        default: return nil
        }
    }

    /// f over each distinct string giving an int (or null).
    static func stringToInt(_ v: Value, _ f: (String) -> Int64?) -> Value? {
        switch v {
        case .scalar(.null): return v
        case .scalar(.string(let s)): return .scalar(f(s).map { .int($0) } ?? .null)
        case .column(let c):
            guard case .string(let codes, let dict) = c.storage else { return nil }
            let per = (0..<dict.count).map { f(dict.string(Int32($0))) }
            var out = [Int64](repeating: 0, count: codes.count)
            var validity = c.validity ?? Bitmap(count: codes.count, allValid: true)
            for i in 0..<codes.count {
                if let x = per[Int(codes[i])] { out[i] = x } else { validity[i] = false }
            }
            return .column(Column(.int(out), validity: validity))
        default: return nil
        }
    }

    static func stringToBool(_ v: Value, _ f: (String) -> Bool) -> Value? {
        switch v {
        case .scalar(.null): return v
        case .scalar(.string(let s)): return .scalar(.bool(f(s)))
        case .column(let c):
            guard case .string(let codes, let dict) = c.storage else { return nil }
            let per = (0..<dict.count).map { f(dict.string(Int32($0))) }
            return .column(Column(.bool(codes.map { per[Int($0)] }), validity: c.validity))
        default: return nil
        }
    }

    /// f over dates giving an int.
    static func dateToInt(_ v: Value, _ f: (CivilDate, Int32) -> Int64) -> Value? {
        switch v {
        case .scalar(.null): return v
        case .scalar(.date(let d)): return .scalar(.int(f(CivilDate(daysSinceEpoch: d), d)))
        case .column(let c):
            guard case .date(let ds) = c.storage else { return nil }
            var out = [Int64](repeating: 0, count: ds.count)
            for i in 0..<ds.count where !c.isNull(i) { out[i] = f(CivilDate(daysSinceEpoch: ds[i]), ds[i]) }
            return .column(Column(.int(out), validity: c.validity))
        default: return nil
        }
    }

    static func dateToDate(_ v: Value, _ f: (CivilDate, Int32) -> Int32) -> Value? {
        switch v {
        case .scalar(.null): return v
        case .scalar(.date(let d)): return .scalar(.date(f(CivilDate(daysSinceEpoch: d), d)))
        case .column(let c):
            guard case .date(let ds) = c.storage else { return nil }
            var out = [Int32](repeating: 0, count: ds.count)
            for i in 0..<ds.count where !c.isNull(i) { out[i] = f(CivilDate(daysSinceEpoch: ds[i]), ds[i]) }
            return .column(Column(.date(out), validity: c.validity))
        default: return nil
        }
    }
}
