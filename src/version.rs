//! Version comparison for OS releases ("9" < "10.0" < "16.4.1").

use std::cmp::Ordering;

/// Compares two dotted version strings numerically, part by part. Missing parts count
/// as zero ("10" == "10.0"). A non-numeric part compares by its leading digits, so
/// "14 (Build 1)" or "17.5a" still order sensibly. Returns `None` when either side has
/// no leading number at all (an unknown version cannot be judged).
pub fn compare(a: &str, b: &str) -> Option<Ordering> {
    let pa = parts(a)?;
    let pb = parts(b)?;
    let len = pa.len().max(pb.len());
    for i in 0..len {
        let x = pa.get(i).copied().unwrap_or(0);
        let y = pb.get(i).copied().unwrap_or(0);
        match x.cmp(&y) {
            Ordering::Equal => continue,
            other => return Some(other),
        }
    }
    Some(Ordering::Equal)
}

fn parts(v: &str) -> Option<Vec<u64>> {
    let v = v.trim();
    if !v.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let mut out = Vec::new();
    for part in v.split('.') {
        let digits: String = part.chars().take_while(|c| c.is_ascii_digit()).collect();
        if digits.is_empty() {
            break;
        }
        out.push(digits.parse().unwrap_or(u64::MAX));
        if digits.len() != part.len() {
            break; // "4a" or "4 (build)": the rest is not a version part
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cmp::Ordering::*;

    #[test]
    fn orders_numerically_part_by_part() {
        assert_eq!(compare("9", "10.0"), Some(Less));
        assert_eq!(compare("10.0", "16.4.1"), Some(Less));
        assert_eq!(compare("16.4.1", "16.4"), Some(Greater));
        assert_eq!(compare("10", "10.0.0"), Some(Equal));
        assert_eq!(compare("17.5", "17.10"), Some(Less));
    }

    #[test]
    fn unknown_versions_are_not_judged() {
        assert_eq!(compare("", "10"), None);
        assert_eq!(compare("unknown", "10"), None);
        assert_eq!(compare("14 (Build 1)", "14"), Some(Equal));
    }
}
