import Columnar
import Foundation
import IO

/// BG/NBD and Gamma-Gamma fitted by maximum likelihood on one customer summary, with the
/// diagnostics of each fit and the warnings a reader needs (SPEC 12).
struct CLVModel {
    var summary: CustomerSummary
    var groups: CustomerGroups
    var purchases: BGNBD
    var purchasesFit: BoundedOptimizer.Fit
    /// nil when too few customers have repeat purchases with a positive value.
    var value: GammaGamma?
    var valueFit: BoundedOptimizer.Fit?
    var valueCustomers = 0
    var warnings: [String] = []

    /// Why a model cannot be fitted at all: an error for the user, with what to do.
    struct Failure: Error {
        var message: String
        var hint: String
    }

    init(_ summary: CustomerSummary) throws {
        self.summary = summary
        let asof = CivilDate(daysSinceEpoch: summary.asof)
        guard summary.count > 0 else {
            throw Failure(message: "no customer has an order on or before asof (\(asof))",
                          hint: "asof must be on or after the first order date; without asof it is the latest order date")
        }
        guard summary.count >= 2 else {
            throw Failure(message: "only one customer has orders on or before asof (\(asof)): a model of customers needs many",
                          hint: "use a table with more customers (hundreds or more make stable estimates)")
        }
        let repeaters = summary.x.reduce(0) { $0 + ($1 > 0 ? 1 : 0) }
        guard repeaters > 0 else {
            throw Failure(message: "no customer bought on two different days up to asof (\(asof)): BG/NBD cannot be fitted without repeat purchases",
                          hint: "purchases on the same day count as one; use a later asof or a longer history")
        }
        groups = summary.groups()
        let g = groups
        let fit = BoundedOptimizer.maximize(starts: BGNBD.startingPoints(g), count: g.customers, names: BGNBD.parameterNames) { BGNBD.logLikelihood($0, g) }
        guard fit.logLikelihood.isFinite, fit.parameters.count == 4 else {
            throw Failure(message: "the BG/NBD likelihood is not finite at any starting point",
                          hint: "check the dates: t_x and T must be finite and T ≥ t_x ≥ 0")
        }
        purchasesFit = fit
        purchases = BGNBD(fit.parameters)
        if repeaters < 10 {
            warnings.append("only \(repeaters) customer\(repeaters == 1 ? "" : "s") bought again: the BG/NBD estimates are very uncertain")
        }
        if purchases.a > 1e4 && purchases.b > 1e4 {
            warnings.append("BG/NBD a and b are very large: the chance to drop out after a purchase hardly varies between customers (a/(a+b) = \(CLVModel.format(purchases.a / (purchases.a + purchases.b)))); only that ratio is identified (the predictions rest on it, not on a and b)")
        }
        if !fit.converged {
            warnings.append("the BG/NBD fit did not converge: \(fit.reason); treat its figures with care")
        }

        let values = RepeatValues(summary)
        valueCustomers = values.count
        let nonPositive = (0..<summary.count).reduce(0) { $0 + (summary.x[$1] > 0 && summary.repeatValue[$1] <= 0 ? 1 : 0) }
        if nonPositive > 0 {
            warnings.append("\(nonPositive) repeat customer\(nonPositive == 1 ? " has" : "s have") a mean repeat value ≤ 0: left out of the Gamma-Gamma fit, their expected_value and clv are null")
        }
        if values.count >= 2 {
            let vfit = BoundedOptimizer.maximize(starts: GammaGamma.startingPoints(values), count: values.count, names: GammaGamma.parameterNames) { GammaGamma.logLikelihood($0, values) }
            if vfit.logLikelihood.isFinite, vfit.parameters.count == 3 {
                valueFit = vfit
                value = GammaGamma(vfit.parameters)
                if !vfit.converged { warnings.append("the Gamma-Gamma fit did not converge: \(vfit.reason); treat expected_value with care") }
                if let v = value, v.q <= 1 {
                    warnings.append("Gamma-Gamma q = \(CLVModel.format(v.q)) ≤ 1: the population has no finite mean value, so expected_value and clv are null for customers without repeat purchases")
                }
            } else {
                warnings.append("the Gamma-Gamma likelihood is not finite at any starting point: expected_value and clv are null")
            }
        } else {
            warnings.append("Gamma-Gamma needs at least 2 customers with repeat purchases of positive value (found \(values.count)): expected_value and clv are null")
        }
    }

    /// The fitted parameters and diagnostics, one line per model.
    var noteLines: [String] {
        var lines = ["clv: BG/NBD " + CLVModel.describe(BGNBD.parameterNames, purchasesFit)
                     + "; \(NumberFormat.grouped(groups.customers)) customers in \(NumberFormat.grouped(groups.count)) groups of equal (x, t_x, T)"]
        if let f = valueFit {
            lines.append("clv: Gamma-Gamma " + CLVModel.describe(GammaGamma.parameterNames, f)
                         + "; \(NumberFormat.grouped(valueCustomers)) customers with repeat purchases")
        }
        return lines
    }

    static func describe(_ names: [String], _ fit: BoundedOptimizer.Fit) -> String {
        var parts: [String] = []
        for (i, name) in names.enumerated() {
            let se = fit.standardErrors.map { " (±\(format($0[i])))" } ?? ""
            parts.append("\(name)=\(format(fit.parameters[i]))\(se)")
        }
        let status = fit.converged
            ? "converged in \(fit.iterations) iterations (\(fit.evaluations) evaluations, \(fit.startsTried) starting point\(fit.startsTried == 1 ? "" : "s") run), gradient \(BoundedOptimizer.short(fit.gradientNorm))"
            : "NOT converged: \(fit.reason)"
        return parts.joined(separator: " ") + "; log-likelihood \(String(format: "%.2f", fit.logLikelihood)); \(status)"
    }

    /// Four significant digits.
    static func format(_ v: Double) -> String {
        guard v.isFinite else { return "\(v)" }
        let s = String(format: "%.4g", v)
        return s
    }
}

extension CLVModel.Failure: CustomStringConvertible {
    var description: String { message }
}
