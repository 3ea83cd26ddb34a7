//! The label-set fingerprint of Prometheus' and Alertmanager's `model.LabelSet.Fingerprint()`:
//! FNV-1a 64 over the label names in ascending order, each written as
//! `name 0xff value 0xff`, printed as 16 lowercase hex digits.

use std::collections::BTreeMap;
use std::hash::Hasher;

/// The fingerprint as a number.
pub fn fingerprint(labels: &BTreeMap<String, String>) -> u64 {
    let mut h = fnv::FnvHasher::default();
    // A BTreeMap iterates its names in ascending byte order, as Go's sort.Strings does.
    for (name, value) in labels {
        h.write(name.as_bytes());
        h.write(&[0xff]);
        h.write(value.as_bytes());
        h.write(&[0xff]);
    }
    h.finish()
}

/// The fingerprint as Alertmanager prints it (`%016x`).
pub fn fingerprint_hex(labels: &BTreeMap<String, String>) -> String {
    format!("{:016x}", fingerprint(labels))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prometheus_common_vectors() {
        // prometheus/common model/signature_test.go and fingerprinting tests.
        assert_eq!(fingerprint(&BTreeMap::new()), 14695981039346656037);
        let labels: BTreeMap<String, String> = [("name", "garland, briggs"), ("fear", "love is not enough")]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        assert_eq!(fingerprint(&labels), 5799056148416392346);
        assert_eq!(fingerprint_hex(&labels), format!("{:016x}", 5799056148416392346u64));
        assert_eq!(fingerprint_hex(&BTreeMap::new()), "cbf29ce484222325");
    }
}
