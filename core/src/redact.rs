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
    use super::redact;

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
