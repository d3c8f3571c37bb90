//! The certificate as a one-page PDF, and reading one back.
//!
//! The file is drawn from the signed content, the signature and the
//! verification address alone, byte for byte the same every time: the
//! content and signature ride along in the document information dictionary
//! (`/MPPCertificate`, `/MPPSignature`, `/MPPVerify`), where `mpp verify`
//! finds them, draws the file again and compares every byte. So any change
//! to anything the page prints (a date, a name, a digit), to where it is
//! printed, or anything added to the file (an overlay, an incremental
//! update) makes a copy forged. The layout is therefore part of the signed
//! format: changing it means a new `v`, with this one kept for the
//! certificates already issued (a test pins the bytes of version 1).

use super::store::canonical;
use mpp_domain::certificate::Content;
use pdf_writer::{Content as Ops, Finish, Name, Pdf, Rect, Ref, Str};

const A4: (f32, f32) = (595.0, 842.0);
const LEFT: f32 = 64.0;
const RIGHT: f32 = 531.0;

/// The PDF of a certificate. `verify_url` is what the QR code holds: the
/// public verification page, with the signature.
pub fn render(c: &Content, signature: &str, verify_url: &str) -> Vec<u8> {
    let (catalog, pages, page, font, bold, contents, info) =
        (Ref::new(1), Ref::new(2), Ref::new(3), Ref::new(4), Ref::new(5), Ref::new(6), Ref::new(7));
    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(pages);
    pdf.pages(pages).kids([page]).count(1);
    let mut p = pdf.page(page);
    p.parent(pages).media_box(Rect::new(0.0, 0.0, A4.0, A4.1)).contents(contents);
    p.resources().fonts().pair(Name(b"F1"), font).pair(Name(b"F2"), bold);
    p.finish();
    for (id, name) in [(font, b"Helvetica".as_slice()), (bold, b"Helvetica-Bold".as_slice())] {
        pdf.type1_font(id).base_font(Name(name)).encoding_predefined(Name(b"WinAnsiEncoding"));
    }
    pdf.stream(contents, &page_ops(c, verify_url));
    let mut i = pdf.document_info(info);
    i.title(pdf_writer::TextStr(&format!("{} {}", c.title, c.number)));
    i.creator(pdf_writer::TextStr("MPP"));
    i.pair(Name(b"MPPCertificate"), Str(crate::certificate::keys::encode(canonical(c).as_bytes()).as_bytes()));
    i.pair(Name(b"MPPSignature"), Str(signature.as_bytes()));
    i.pair(Name(b"MPPVerify"), Str(verify_url.as_bytes()));
    i.finish();
    pdf.finish()
}

/// The text as WinAnsi bytes (the standard fonts' encoding): Latin-1 covers
/// Indonesian names; anything else prints as `?`.
fn winansi(s: &str) -> Vec<u8> {
    s.chars().map(|ch| u8::try_from(u32::from(ch)).ok().filter(|b| *b >= 0x20).unwrap_or(b'?')).collect()
}

/// Lines of at most `width` points in Helvetica at `size` (an average
/// glyph width is enough: the checker compares words, not lines).
fn wrap(text: &str, size: f32, width: f32) -> Vec<String> {
    let max = (width / (size * 0.52)) as usize;
    let mut lines = vec![String::new()];
    for word in text.split_whitespace() {
        let line = lines.last_mut().expect("one line at least");
        if !line.is_empty() && line.len() + 1 + word.len() > max {
            lines.push(word.to_string());
        } else {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
    }
    lines
}

struct Page {
    ops: Ops,
    y: f32,
}

impl Page {
    fn text(&mut self, x: f32, font: &[u8], size: f32, text: &str) {
        self.ops.begin_text().set_font(Name(font), size).next_line(x, self.y).show(Str(&winansi(text))).end_text();
    }

    fn line(&mut self, font: &[u8], size: f32, text: &str, after: f32) {
        self.text(LEFT, font, size, text);
        self.y -= after;
    }

    fn paragraph(&mut self, size: f32, text: &str, width: f32) {
        for l in wrap(text, size, width) {
            self.line(b"F1", size, &l, size * 1.45);
        }
    }

    fn rule(&mut self) {
        self.ops.move_to(LEFT, self.y).line_to(RIGHT, self.y).stroke();
    }
}

fn page_ops(c: &Content, verify_url: &str) -> Vec<u8> {
    let mut p = Page { ops: Ops::new(), y: 770.0 };
    p.ops.set_line_width(1.5).rect(40.0, 40.0, A4.0 - 80.0, A4.1 - 80.0).stroke().set_line_width(0.75);
    p.line(b"F2", 14.0, &c.mall_name, 18.0);
    p.line(b"F1", 11.0, &c.agency, 12.0);
    p.rule();
    p.y -= 44.0;
    p.line(b"F2", 18.0, &c.title, 22.0);
    p.line(b"F1", 11.0, &format!("Nomor: {}", c.number), 36.0);
    p.paragraph(11.0, &c.statement, RIGHT - LEFT);
    p.y -= 16.0;
    let day = |d: &str| {
        mpp_domain::format::parse_date(d)
            .map_or_else(|| d.to_string(), |d| mpp_domain::format::date(d, mpp_domain::format::Lang::Id))
    };
    let issued = day(&c.issued);
    let until = c.valid_until.as_deref().map_or_else(|| "tidak terbatas".into(), day);
    let mut rows = vec![("Nama pemegang", c.holder.as_str())];
    if !c.holder_nik.is_empty() {
        rows.push(("NIK", &c.holder_nik));
    }
    rows.extend([
        ("Layanan", c.service.as_str()),
        ("Nomor registrasi", &c.registration),
        ("Tanggal terbit", &issued),
        ("Berlaku sampai", &until),
    ]);
    for (label, value) in rows {
        p.text(LEFT, b"F1", 10.0, label);
        p.text(LEFT + 130.0, b"F2", 10.0, value);
        p.y -= 17.0;
    }
    // The seal: the QR code to the verification page, and what it means.
    let side = 132.0;
    qr(&mut p.ops, verify_url, RIGHT - side, 64.0, side);
    p.y = 64.0 + side - 10.0;
    let width = RIGHT - side - LEFT - 16.0;
    p.paragraph(
        9.0,
        &format!("Ditandatangani secara elektronik oleh {} (Ed25519, kunci {}).", c.mall_name, c.kid),
        width,
    );
    p.paragraph(
        9.0,
        "Pindai kode QR atau buka alamat di bawah untuk memeriksa keaslian dan status dokumen ini:",
        width,
    );
    for l in verify_url.as_bytes().chunks(60) {
        p.line(b"F1", 7.0, &String::from_utf8_lossy(l), 9.0);
    }
    p.ops.finish()
}

/// The QR code as filled squares (vector: sharp at any scale), with its
/// quiet zone inside `side`.
fn qr(ops: &mut Ops, data: &str, x: f32, y: f32, side: f32) {
    let Ok(code) = qrcode::QrCode::new(data.as_bytes()) else { return };
    let n = code.width();
    let module = side / (n + 8) as f32;
    let colors = code.to_colors();
    ops.set_fill_gray(0.0);
    for (i, color) in colors.iter().enumerate() {
        if *color == qrcode::Color::Dark {
            let (col, row) = ((i % n) as f32, (i / n) as f32);
            ops.rect(x + (col + 4.0) * module, y + side - (row + 5.0) * module, module, module);
        }
    }
    ops.fill_nonzero();
}

/// What a PDF carries: the signed content (as signed), the signature, the
/// verification address, and the texts its page shows.
#[derive(Debug)]
pub struct Embedded {
    pub content: String,
    pub signature: String,
    pub verify_url: String,
    pub shown: String,
}

/// Reads a certificate PDF back; `None` if it carries no MPP certificate.
pub fn extract(pdf: &[u8]) -> Option<Embedded> {
    let content = crate::certificate::keys::decode(&info_value(pdf, b"/MPPCertificate")?)?;
    Some(Embedded {
        content: String::from_utf8(content).ok()?,
        signature: info_value(pdf, b"/MPPSignature")?,
        verify_url: info_value(pdf, b"/MPPVerify")?,
        shown: shown_text(pdf),
    })
}

/// The value of `key (value)` in the file (our values are plain ASCII).
fn info_value(pdf: &[u8], key: &[u8]) -> Option<String> {
    let at = pdf.windows(key.len()).rposition(|w| w == key)? + key.len();
    let rest = &pdf[at..];
    let open = rest.iter().position(|b| !b.is_ascii_whitespace())?;
    if rest[open] != b'(' {
        return None;
    }
    let len = rest[open + 1..].iter().position(|b| *b == b')')?;
    String::from_utf8(rest[open + 1..open + 1 + len].to_vec()).ok()
}

/// Every string the page shows (`(…) Tj` or `<…> Tj`), joined by spaces,
/// as text (WinAnsi read as Latin-1), whitespace collapsed.
fn shown_text(pdf: &[u8]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < pdf.len() {
        let (bytes, end) = match pdf[i] {
            b'(' => literal(pdf, i + 1),
            b'<' if pdf.get(i + 1) != Some(&b'<') => hex(pdf, i + 1),
            _ => {
                i += 1;
                continue;
            }
        };
        let after = pdf.get(end..).unwrap_or_default();
        let next = after.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(after.len());
        if after[next..].starts_with(b"Tj") {
            out.push(bytes.iter().map(|b| char::from(*b)).collect());
        }
        i = end.max(i + 1);
    }
    out.join(" ").split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A literal string from after its `(`: its bytes and the index after `)`.
fn literal(pdf: &[u8], mut i: usize) -> (Vec<u8>, usize) {
    let (mut out, mut depth) = (Vec::new(), 0);
    while let Some(&b) = pdf.get(i) {
        i += 1;
        match b {
            b'\\' => {
                let Some(&e) = pdf.get(i) else { break };
                i += 1;
                match e {
                    b'n' => out.push(b'\n'),
                    b'r' => out.push(b'\r'),
                    b't' => out.push(b'\t'),
                    b'b' => out.push(8),
                    b'f' => out.push(12),
                    b'0'..=b'7' => {
                        let mut v = u32::from(e - b'0');
                        for _ in 0..2 {
                            match pdf.get(i) {
                                Some(&d @ b'0'..=b'7') => {
                                    v = v * 8 + u32::from(d - b'0');
                                    i += 1;
                                }
                                _ => break,
                            }
                        }
                        out.push(u8::try_from(v & 0xff).unwrap_or(0));
                    }
                    other => out.push(other),
                }
            }
            b'(' => {
                depth += 1;
                out.push(b);
            }
            b')' if depth == 0 => break,
            b')' => {
                depth -= 1;
                out.push(b);
            }
            _ => out.push(b),
        }
    }
    (out, i)
}

/// A hex string from after its `<`.
fn hex(pdf: &[u8], mut i: usize) -> (Vec<u8>, usize) {
    let mut digits = Vec::new();
    while let Some(&b) = pdf.get(i) {
        i += 1;
        if b == b'>' {
            break;
        }
        if let Some(d) = char::from(b).to_digit(16) {
            digits.push(u8::try_from(d).unwrap_or(0));
        } else if !b.is_ascii_whitespace() {
            return (Vec::new(), i);
        }
    }
    if digits.len() % 2 == 1 {
        digits.push(0);
    }
    (digits.chunks(2).map(|p| p[0] * 16 + p[1]).collect(), i)
}

/// Where a copy's page differs from the page as issued, for the reader of
/// a "forged" verdict: the first printed word that differs, or `None` when
/// every word is the same (the change is elsewhere in the file).
pub fn first_difference(copy: &str, issued: &str) -> Option<(String, String)> {
    let (mut a, mut b) = (copy.split(' '), issued.split(' '));
    loop {
        match (a.next(), b.next()) {
            (None, None) => return None,
            (x, y) if x != y => return Some((x.unwrap_or("").into(), y.unwrap_or("").into())),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content() -> Content {
        Content {
            agency: "Dinas Penanaman Modal dan PTSP".into(),
            holder: "Siti Rahmawati (Ibu) \\ Ayu Wijayá".into(),
            holder_nik: "************0001".into(),
            id: "c1".into(),
            issued: "2026-11-25".into(),
            kid: "k1".into(),
            mall: "ttu".into(),
            mall_name: "MPP Kabupaten Contoh".into(),
            number: "503/0001/DPMPTSP/XI/2026".into(),
            registration: "TTU-261125-0001".into(),
            service: "Perizinan Berusaha UMK".into(),
            statement: "Diberikan kepada Siti untuk usaha Warung Sejahtera yang bergerak di bidang kuliner, \
                        beralamat di Desa Contoh, sebagai bukti pemenuhan perizinan berusaha berbasis risiko."
                .into(),
            title: "SERTIFIKAT STANDAR USAHA MIKRO".into(),
            valid_until: Some("2031-11-24".into()),
            v: 1,
        }
    }

    #[test]
    fn a_rendered_certificate_reads_back_as_signed() {
        let c = content();
        let pdf = render(&c, "sig", "http://127.0.0.1:1/m/ttu/sertifikat/c1?t=sig");
        assert!(pdf.starts_with(b"%PDF-"));
        let e = extract(&pdf).expect("an MPP certificate");
        assert_eq!(e.content, canonical(&c));
        assert_eq!(e.signature, "sig");
        assert_eq!(e.verify_url, "http://127.0.0.1:1/m/ttu/sertifikat/c1?t=sig");
        assert!(e.shown.contains("Nomor: 503/0001/DPMPTSP/XI/2026 Diberikan kepada Siti"), "{}", e.shown);
        let mut other = c.clone();
        other.valid_until = Some("2039-11-24".into());
        let forged = extract(&render(&other, "sig", &e.verify_url)).expect("a certificate").shown;
        assert_eq!(first_difference(&forged, &e.shown), Some(("2039".into(), "2031".into())));
        assert_eq!(first_difference(&e.shown, &e.shown), None);
    }

    /// Version 1's file, byte for byte: `mpp verify` draws a copy again and
    /// compares, so a change to the layout must come as a new `v` (with
    /// this renderer kept), or every issued certificate reads as forged.
    #[test]
    fn version_one_is_drawn_the_same_forever() {
        use sha2::Digest;
        let pdf = render(&content(), "sig", "http://127.0.0.1:1/m/ttu/sertifikat/c1?t=sig");
        let digest: String = sha2::Sha256::digest(&pdf).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(digest, "871bb901c5fe013d1575ace1ee8a2ff76de5904377278857666b809b99a6b9a0");
    }

    #[test]
    fn a_file_without_a_certificate_is_not_one() {
        assert!(extract(b"%PDF-1.7\n1 0 obj << >> endobj").is_none());
    }
}
