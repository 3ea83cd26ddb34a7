//! Channel signing against values computed independently with Python's hmac, base64 and
//! urllib.parse.quote_plus (DingTalk's own example code does the same), and truncation.

use opsbook::alert::sign::{dingtalk_sign, dingtalk_signed_url, feishu_sign};
use opsbook::alert::truncate::{ELLIPSIS, Unit, truncate};

const SECRET: &str = "SECb2b0d3f2c7a8e1d9c4b5a6f7e8d9c0b1a2f3e4d5c6b7a8f9e0d1c2b3a4f5e6d7";

#[test]
fn dingtalk_and_feishu_sign_their_own_ways() {
    // python3: quote_plus(b64encode(hmac.new(secret, f"{ts}\n{secret}", sha256).digest()))
    assert_eq!(dingtalk_sign(SECRET, 1795305600123), "WQ4wGdIEl7pmcNd3aR15xq4wmk5qP07xN%2FV3cvW%2B0VA%3D");
    let url = dingtalk_signed_url("https://oapi.dingtalk.com/robot/send?access_token=T", SECRET, 1795305600123);
    assert_eq!(
        url,
        "https://oapi.dingtalk.com/robot/send?access_token=T&timestamp=1795305600123&sign=WQ4wGdIEl7pmcNd3aR15xq4wmk5qP07xN%2FV3cvW%2B0VA%3D"
    );
    assert!(!url.contains(SECRET));
    // python3: b64encode(hmac.new(f"{ts}\n{secret}", b"", sha256).digest()): key and message swap.
    assert_eq!(feishu_sign(SECRET, 1795305600), "VP3KnhvAbsj6QSiuvAeFcXqowuK6yZRAtqXKwFi4s/o=");
}

#[test]
fn truncation_never_splits_a_character_nor_exceeds_the_limit() {
    assert_eq!(truncate("磁盘使用率 95%", 100, Unit::Bytes), "磁盘使用率 95%");
    // Each Chinese character is 3 bytes in UTF-8, and so is the marker.
    let text = "告警通知：服务 edu-api 已停止";
    for limit in 0..=text.len() + 2 {
        let cut = truncate(text, limit, Unit::Bytes);
        assert!(cut.len() <= limit || cut == text, "{limit}: {} bytes", cut.len());
        if cut != text && limit >= ELLIPSIS.len() {
            assert!(cut.ends_with(ELLIPSIS), "{limit}: {cut}");
            assert!(text.starts_with(cut.trim_end_matches(ELLIPSIS)));
        }
    }
    assert_eq!(truncate(text, 12, Unit::Bytes), "告警通…");
    assert_eq!(truncate(text, 5, Unit::Chars), "告警通知…");
    assert_eq!(truncate(text, 2, Unit::Bytes), "");
    assert_eq!(truncate("abc", 0, Unit::Chars), "");
}
