//! The email channel: plain SMTP to a relay (a local MTA or the mail
//! provider's submission relay on a private network). A few lines of
//! protocol instead of a mail crate; TLS belongs to the relay.

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

#[derive(Debug, Clone)]
pub struct Config {
    /// host:port of the relay.
    pub addr: String,
    /// The sender address, e.g. noreply@mpp.example.go.id.
    pub from: String,
}

/// Sends one plain-text UTF-8 message.
pub async fn send(c: &Config, to: &str, subject: &str, body: &str) -> Result<(), String> {
    if [to, &c.from].iter().any(|a| a.contains(['\r', '\n', '<', '>']) || !a.contains('@')) {
        return Err("bad address".into());
    }
    let stream = tokio::time::timeout(std::time::Duration::from_secs(10), TcpStream::connect(&c.addr))
        .await
        .map_err(|_| "connect timed out".to_string())?
        .map_err(|e| format!("connect: {e}"))?;
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    expect(&mut read, 220).await?;
    let domain = c.from.rsplit('@').next().unwrap_or("localhost");
    for (line, code) in [
        (format!("EHLO {domain}\r\n"), 250),
        (format!("MAIL FROM:<{}>\r\n", c.from), 250),
        (format!("RCPT TO:<{to}>\r\n"), 250),
        ("DATA\r\n".to_string(), 354),
    ] {
        write.write_all(line.as_bytes()).await.map_err(|e| e.to_string())?;
        expect(&mut read, code).await?;
    }
    let message = format!(
        "From: MPP <{}>\r\nTo: <{to}>\r\nSubject: {}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{}\r\n.\r\n",
        c.from,
        encode_header(subject),
        dot_stuff(body)
    );
    write.write_all(message.as_bytes()).await.map_err(|e| e.to_string())?;
    expect(&mut read, 250).await?;
    let _ = write.write_all(b"QUIT\r\n").await;
    Ok(())
}

/// Reads a (possibly multi-line) reply and checks its code.
async fn expect(read: &mut BufReader<tokio::net::tcp::OwnedReadHalf>, code: u16) -> Result<(), String> {
    loop {
        let mut line = String::new();
        let n = tokio::time::timeout(std::time::Duration::from_secs(30), read.read_line(&mut line))
            .await
            .map_err(|_| "the relay did not answer".to_string())?
            .map_err(|e| e.to_string())?;
        if n == 0 {
            return Err("the relay closed the connection".into());
        }
        let got: u16 = line.get(..3).and_then(|c| c.parse().ok()).ok_or_else(|| format!("bad reply {line:?}"))?;
        if got != code {
            return Err(format!("expected {code}, got {}", line.trim_end()));
        }
        // "250-…" continues; "250 …" ends the reply.
        if line.as_bytes().get(3) != Some(&b'-') {
            return Ok(());
        }
    }
}

/// RFC 2047 Q-encoding for a non-ASCII subject.
fn encode_header(s: &str) -> String {
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return s.to_string();
    }
    let mut out = String::from("=?utf-8?Q?");
    for b in s.bytes() {
        match b {
            b' ' => out.push('_'),
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b',' => out.push(char::from(b)),
            _ => out.push_str(&format!("={b:02X}")),
        }
    }
    out.push_str("?=");
    out
}

/// Normalises line ends to CRLF and doubles a leading dot (RFC 5321 §4.5.2).
fn dot_stuff(body: &str) -> String {
    body.lines()
        .map(|l| if l.starts_with('.') { format!(".{l}") } else { l.to_string() })
        .collect::<Vec<_>>()
        .join("\r\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_and_bodies_are_safe_on_the_wire() {
        assert_eq!(encode_header("Tiket A-012"), "Tiket A-012");
        assert_eq!(encode_header("Giliran Anda – loket 3"), "=?utf-8?Q?Giliran_Anda_=E2=80=93_loket_3?=");
        assert_eq!(dot_stuff("a\n.b\r\nc"), "a\r\n..b\r\nc");
    }
}
