//! Secrets never appear in any output: credentials in URLs and DSNs are masked before a
//! URL is put into a check name, a summary, an error or a report.

/// Parameter names whose values are secrets.
const SECRET_KEYS: [&str; 10] =
    ["password=", "passwd=", "pwd=", "sslpassword=", "access_token=", "token=", "key=", "secret=", "sign=", "api_key="];

/// Replaces the password of a URL (`scheme://user:password@host`) with `***`, and the
/// `password=` of a key/value DSN (`host=db password=secret`) likewise. Borrows the text
/// back when there is nothing to mask.
pub fn redact(text: &str) -> std::borrow::Cow<'_, str> {
    // Most text holds neither a URL nor a key=value pair: nothing to look for.
    if !text.contains("://") && !text.contains('=') {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = redact_url_userinfo(text);
    // key=value DSNs (libpq style) and query parameters: passwords, and the tokens, keys and
    // signatures of webhook URLs (DingTalk's access_token, WeCom's key, ...). A key counts
    // only as a whole word (`monkey=` is not `key=`).
    for key in SECRET_KEYS {
        let mut search_from = 0;
        while let Some(pos) = out[search_from..].to_ascii_lowercase().find(key) {
            let at = search_from + pos;
            let start = at + key.len();
            let whole_word =
                out[..at].chars().next_back().is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'));
            let end = out[start..]
                .find(|c: char| c.is_whitespace() || matches!(c, '&' | ';' | '"' | '\'' | ')' | '#'))
                .map(|e| start + e)
                .unwrap_or(out.len());
            if whole_word && end > start && &out[start..end] != "***" {
                out.replace_range(start..end, "***");
            }
            search_from = start + 3.min(out.len() - start);
        }
    }
    if out == text { std::borrow::Cow::Borrowed(text) } else { std::borrow::Cow::Owned(out) }
}

/// `text` with each occurrence of one of `secrets` replaced by `***`. An occurrence counts
/// only where the secret stands as a value of its own: the characters on either side are
/// not word characters, so a short secret (`k`) masks `key=k` but not the `k` of
/// `routing_key` or `opsbook`. Borrows the text back when there is nothing to mask.
pub fn mask_secrets<'a>(text: &'a str, secrets: &[String]) -> std::borrow::Cow<'a, str> {
    let mut out = std::borrow::Cow::Borrowed(text);
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        if !out.contains(secret.as_str()) {
            continue;
        }
        let mut masked = String::with_capacity(out.len());
        let mut copied = 0;
        let mut from = 0;
        while let Some(pos) = out[from..].find(secret.as_str()) {
            let start = from + pos;
            let end = start + secret.len();
            let before = out[..start].chars().next_back();
            let after = out[end..].chars().next();
            if !before.is_some_and(is_word_char) && !after.is_some_and(is_word_char) {
                masked.push_str(&out[copied..start]);
                masked.push_str("***");
                copied = end;
                from = end;
            } else {
                // Step one character on: occurrences may overlap (`aa` in `aaa`).
                from = start + out[start..].chars().next().map_or(1, char::len_utf8);
            }
        }
        if copied > 0 {
            masked.push_str(&out[copied..]);
            out = std::borrow::Cow::Owned(masked);
        }
    }
    out
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn redact_url_userinfo(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(scheme_end) = rest.find("://") {
        let authority_start = scheme_end + 3;
        out.push_str(&rest[..authority_start]);
        rest = &rest[authority_start..];
        let authority_end = rest.find(['/', '?', '#', ' ', '"', '\'']).unwrap_or(rest.len());
        let authority = &rest[..authority_end];
        match authority.rfind('@') {
            Some(at) => {
                let userinfo = &authority[..at];
                match userinfo.find(':') {
                    Some(colon) => {
                        out.push_str(&userinfo[..colon]);
                        out.push_str(":***");
                    }
                    None => out.push_str(userinfo),
                }
                out.push_str(&authority[at..]);
            }
            None => out.push_str(authority),
        }
        rest = &rest[authority_end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::{mask_secrets, redact};

    #[test]
    fn masks_a_secret_only_where_it_stands_alone() {
        let k = vec!["k".to_owned()];
        // A one-character routing key: its own occurrence is masked, the `k` of other words is not.
        assert_eq!(
            mask_secrets(r#"{"routing_key":"k","client":"opsbook"}"#, &k),
            r#"{"routing_key":"***","client":"opsbook"}"#
        );
        assert_eq!(mask_secrets("https://h/send?key=k&k=1", &k), "https://h/send?key=***&***=1");
        let token = vec!["abc123".to_owned()];
        assert_eq!(mask_secrets("access_token=abc123&x=abc1234", &token), "access_token=***&x=abc1234");
        assert_eq!(mask_secrets("/hook/abc123", &token), "/hook/***");
        assert!(matches!(mask_secrets("nothing here", &token), std::borrow::Cow::Borrowed(_)));
        // Overlapping candidates: the second `aa` of `aaa` is not a word of its own either.
        assert_eq!(mask_secrets("aaa aa", &["aa".to_owned()]), "aaa ***");
        assert_eq!(mask_secrets("秘密 x", &["秘".to_owned()]), "秘密 x");
        assert_eq!(mask_secrets("key=秘 x", &["秘".to_owned()]), "key=*** x");
    }

    #[test]
    fn masks_passwords_and_keeps_the_rest() {
        assert_eq!(redact("postgresql://app:s3cr3t@db:5432/edu"), "postgresql://app:***@db:5432/edu");
        assert_eq!(redact("redis://:hunter2@127.0.0.1:6379/0"), "redis://:***@127.0.0.1:6379/0");
        assert_eq!(redact("https://example.com/health"), "https://example.com/health");
        assert_eq!(redact("host=db user=app password=s3cr3t dbname=x"), "host=db user=app password=*** dbname=x");
        assert_eq!(redact("connect to redis://u:p@h:1 failed"), "connect to redis://u:***@h:1 failed");
        assert_eq!(redact("https://a:b@c/?x=1&password=zz"), "https://a:***@c/?x=1&password=***");
        assert_eq!(
            redact("https://oapi.dingtalk.com/robot/send?access_token=abc123&timestamp=1&sign=x%2By"),
            "https://oapi.dingtalk.com/robot/send?access_token=***&timestamp=1&sign=***"
        );
        assert_eq!(
            redact("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k-1"),
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=***"
        );
        assert_eq!(redact("monkey=banana token=t1"), "monkey=banana token=***");
        assert_eq!(redact("\"url\": \"http://h/?token=abc\""), "\"url\": \"http://h/?token=***\"");
    }
}
