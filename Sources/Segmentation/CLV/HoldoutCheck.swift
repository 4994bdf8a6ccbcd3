import Columnar
import Foundation
import IO

/// The model's check on a holdout period (SPEC 12 `holdout_until`): the purchases BG/NBD
/// predicts for each customer over the holdout's length against the purchase days that
/// customer actually had in `(asof, holdout_until]`; the mean absolute error, and the
/// averages by number of calibration purchases x = 0, 1, …, 7+ as in figure 4 of Fader,
/// Hardie & Lee (2005).
struct HoldoutCheck {
    static let buckets = 8
    var customers: Int
    var meanAbsoluteError: Double
    var predictedTotal: Double
    var actualTotal: Int
    /// Per bucket of x (the last is 7 or more): customers, mean actual, mean predicted.
    var bucketCustomers: [Int]
    var bucketActual: [Double]
    var bucketPredicted: [Double]

    init(model: CLVModel, actual: [Int32], holdoutUnits: Double) {
        let s = model.summary, g = model.groups, bg = model.purchases
        var groupPrediction = [Double](repeating: 0, count: g.count)
        for k in 0..<g.count {
            groupPrediction[k] = bg.expectedPurchases(t: holdoutUnits, x: Double(g.x[k]), tx: g.tx[k], T: g.T[k]) ?? 0
        }
        customers = s.count
        var error = 0.0, predicted = 0.0, actualSum = 0
        bucketCustomers = [Int](repeating: 0, count: HoldoutCheck.buckets)
        bucketActual = [Double](repeating: 0, count: HoldoutCheck.buckets)
        bucketPredicted = [Double](repeating: 0, count: HoldoutCheck.buckets)
        for i in 0..<s.count {
            let p = groupPrediction[Int(g.groupOf[i])], a = Int(actual[i])
            error += abs(p - Double(a))
            predicted += p
            actualSum += a
            let b = min(Int(s.x[i]), HoldoutCheck.buckets - 1)
            bucketCustomers[b] += 1
            bucketActual[b] += Double(a)
            bucketPredicted[b] += p
        }
        for b in 0..<HoldoutCheck.buckets where bucketCustomers[b] > 0 {
            bucketActual[b] /= Double(bucketCustomers[b])
            bucketPredicted[b] /= Double(bucketCustomers[b])
        }
        meanAbsoluteError = s.count > 0 ? error / Double(s.count) : 0
        predictedTotal = predicted
        actualTotal = actualSum
    }

    static func label(_ b: Int) -> String { b == buckets - 1 ? "\(b)+" : "\(b)" }

    /// One line for the notes.
    func summaryLine(firstSeenLater: Int, until: Int32) -> String {
        "clv: holdout to \(CivilDate(daysSinceEpoch: until)): \(NumberFormat.grouped(customers)) customers, "
            + "predicted \(NumberFormat.fixed(predictedTotal, decimals: 1, grouping: true)) purchases, actual \(NumberFormat.grouped(actualTotal)), "
            + "mean absolute error \(String(format: "%.3f", meanAbsoluteError)) per customer; "
            + "\(NumberFormat.grouped(firstSeenLater)) customer\(firstSeenLater == 1 ? "" : "s") first bought in the holdout period (not rows: the model knows nothing of them)"
    }

    /// The averages by calibration purchases, as a report value (buckets with customers).
    var report: HoldoutReport {
        let shown = (0..<HoldoutCheck.buckets).filter { bucketCustomers[$0] > 0 }
        return HoldoutReport(labels: shown.map(HoldoutCheck.label), customers: shown.map { bucketCustomers[$0] },
                             actual: shown.map { bucketActual[$0] }, predicted: shown.map { bucketPredicted[$0] })
    }
}
