/// A validity bitmap: bit i set means row i holds a value (is not null).
public struct Bitmap: Sendable, Equatable {
    public private(set) var words: [UInt64]
    public private(set) var count: Int

    public init(count: Int, allValid: Bool) {
        self.count = count
        let n = (count + 63) >> 6
        words = [UInt64](repeating: allValid ? ~0 : 0, count: n)
        if allValid, count & 63 != 0, n > 0 { words[n - 1] = (1 << UInt64(count & 63)) - 1 }
    }

    @inline(__always)
    public subscript(i: Int) -> Bool {
        get { (words[i >> 6] >> UInt64(i & 63)) & 1 == 1 }
        set {
            if newValue { words[i >> 6] |= (1 << UInt64(i & 63)) }
            else { words[i >> 6] &= ~(1 << UInt64(i & 63)) }
        }
    }

    public var nullCount: Int {
        var valid = 0
        for w in words { valid += w.nonzeroBitCount }
        return count - valid
    }

    /// Appends one bit (used by builders).
    public mutating func append(_ valid: Bool) {
        if count & 63 == 0 { words.append(0) }
        if valid { words[count >> 6] |= (1 << UInt64(count & 63)) }
        count += 1
    }

    /// Bitwise AND of two bitmaps of equal length.
    public static func & (a: Bitmap, b: Bitmap) -> Bitmap {
        var r = a
        for i in 0..<r.words.count { r.words[i] &= b.words[i] }
        return r
    }
}

/// Validity of rows valid in both `a` and `b` (nil: every row valid). The one place segsh
/// combines the null masks of several inputs.
public func bothValid(_ a: Bitmap?, _ b: Bitmap?) -> Bitmap? {
    switch (a, b) {
    case (nil, nil): return nil
    case (let x?, nil): return x
    case (nil, let y?): return y
    case (let x?, let y?): return x & y
    }
}
