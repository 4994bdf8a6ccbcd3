/// The column names of a join's result: the left table's names, then each right column's
/// name, suffixed with the right table's name when taken (`region_feats`, then
/// `region_feats2`, ...). Taken names are looked up in a set, so a join of tables with
/// 100,000 columns costs 100,000 lookups, not 100,000² comparisons.
enum JoinColumnNames {
    /// The names of the right columns kept (their indices into `right`) and the whole list.
    /// `skip` is the right key column dropped by `join ... on COL` (same name both sides).
    static func resolve(left: [String], right: [String], skip: String?, rightName: String) -> (kept: [Int], names: [String]) {
        var names = left
        var taken = Set(left)
        var kept: [Int] = []
        for (i, name) in right.enumerated() {
            if let skip, name == skip { continue }
            var n = name
            if taken.contains(n) { n = "\(name)_\(rightName)" }
            var k = 2
            while taken.contains(n) { n = "\(name)_\(rightName)\(k)"; k += 1 }
            names.append(n)
            taken.insert(n)
            kept.append(i)
        }
        return (kept, names)
    }
}
