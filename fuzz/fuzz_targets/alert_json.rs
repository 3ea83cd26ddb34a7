//! Alert JSON in Alertmanager's shapes (webhook payload, API v2 list, one alert, the
//! manuals' object): read or refused; what is read renders as every chat channel.
#![no_main]

use libfuzzer_sys::fuzz_target;
use opsbook::alert::model::AlertGroup;

fuzz_target!(|data: &[u8]| {
    if let Ok(group) = AlertGroup::from_json_bytes(data) {
        let _ = group.to_webhook_json();
        let zone = jiff::tz::TimeZone::UTC;
        for lang in [opsbook::alert::message::Lang::ZhCn, opsbook::alert::message::Lang::En] {
            let _ = opsbook::alert::message::text_message(&group, lang, &zone);
        }
    }
});
