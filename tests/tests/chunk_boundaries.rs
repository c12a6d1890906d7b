//! Chunk boundaries anywhere inside text change nothing: every form text takes in an answer
//! (ASCII, 2-, 3- and 4-byte UTF-8, the five named entities, numeric references, CDATA, comments
//! inside text, texts longer than the decoder's carry buffer), in output and error documents,
//! decoded from chunks of every size from 1 to 12 bytes at every offset, gives exactly what the
//! whole body gives, and the whole body gives the text the document means.

use ec2_sg::operation::DescribeSecurityGroups;
use ec2_sg::runtime::body::Body;
use ec2_sg::runtime::{parse_response, parse_response_body, ResponseError};

/// Each form of text as written in a document, and the text it stands for.
fn text_forms() -> Vec<(String, String)> {
    let mut forms: Vec<(String, String)> = [
        ("web servers, port 443", "web servers, port 443"),
        ("café ñandú Ünïcödé", "café ñandú Ünïcödé"),
        ("日本語のグループ €", "日本語のグループ €"),
        ("emoji 😀 and 𝄞 clef", "emoji 😀 and 𝄞 clef"),
        ("&lt;&gt;&amp;&quot;&apos;", "<>&\"'"),
        ("a &lt; b &gt; c &amp; d &quot;e&quot; &apos;f&apos;", "a < b > c & d \"e\" 'f'"),
        ("&#65;&#x42;&#X43;&#233;&#x65e5;&#128512;&#x1F600;", "ABCé日😀😀"),
        ("<![CDATA[<b>&amp;</b> ü 日 😀]]>", "<b>&amp;</b> ü 日 😀"),
        ("before<!-- a comment, ü 😀 -->after", "beforeafter"),
        ("x<![CDATA[]]>y<!---->z&#x20;é", "xyz é"),
    ]
    .into_iter()
    .map(|(raw, text)| (raw.to_string(), text.to_string()))
    .collect();
    // Longer than the carry buffer (it starts at 256 bytes and doubles), every form mixed in.
    let (raw_unit, text_unit) = ("aé日😀&amp;&#233;<![CDATA[<]]>", "aé日😀&é<");
    forms.push((raw_unit.repeat(150), text_unit.repeat(150)));
    forms
}

fn output_document(forms: &[(String, String)]) -> String {
    let mut xml = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<DescribeSecurityGroupsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r-1</requestId><securityGroupInfo>"#,
    );
    for (index, (raw, _)) in forms.iter().enumerate() {
        xml.push_str(&format!(
            "<item><groupId>sg-{index}</groupId><groupName>{raw}</groupName><groupDescription>{raw}</groupDescription>\
             <tagSet><item><key>k</key><value>{raw}</value></item></tagSet></item>"
        ));
    }
    xml.push_str("</securityGroupInfo></DescribeSecurityGroupsResponse>");
    xml
}

fn error_document(raw: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?>\n<Response><Errors><Error><Code>InvalidGroup.NotFound</Code><Message>{raw}</Message>\
         </Error></Errors><RequestID>r-2</RequestID></Response>"
    )
}

/// `bytes` as a body: a first chunk of `offset` bytes (none when 0), then chunks of `size`.
fn chunked(bytes: &[u8], size: usize, offset: usize) -> Body {
    let mut body = Body::new();
    let (first, rest) = bytes.split_at(offset.min(bytes.len()));
    body.push(first.to_vec());
    for piece in rest.chunks(size) {
        body.push(piece.to_vec());
    }
    body
}

/// Every chunking this test tries: sizes 1 to 12, every offset within a size.
fn chunkings() -> impl Iterator<Item = (usize, usize)> {
    (1..=12).flat_map(|size| (0..size).map(move |offset| (size, offset)))
}

#[test]
fn output_documents_decode_the_same_in_chunks_of_every_size_and_offset() {
    let forms = text_forms();
    let xml = output_document(&forms);
    let whole = parse_response::<DescribeSecurityGroups>(200, xml.as_bytes()).expect("the whole body decodes");
    let groups = whole.security_groups();
    assert_eq!(groups.len(), forms.len());
    for (group, (raw, text)) in groups.iter().zip(&forms) {
        assert_eq!(group.group_name(), Some(text.as_str()), "{raw}");
        assert_eq!(group.description(), Some(text.as_str()), "{raw}");
        assert_eq!(group.tags()[0].value(), Some(text.as_str()), "{raw}");
    }
    let mut tried = 0;
    for (size, offset) in chunkings() {
        let from_chunks = parse_response_body::<DescribeSecurityGroups>(200, chunked(xml.as_bytes(), size, offset))
            .unwrap_or_else(|e| panic!("chunks of {size} after {offset}: {e}"));
        assert_eq!(from_chunks, whole, "chunks of {size} after {offset}");
        tried += 1;
    }
    assert_eq!(tried, 78);
}

#[test]
fn error_documents_decode_the_same_in_chunks_of_every_size_and_offset() {
    for (raw, text) in text_forms() {
        let xml = error_document(&raw);
        // An error status, and an error document behind a success status (as some proxies send).
        for status in [400, 200] {
            let whole = match parse_response::<DescribeSecurityGroups>(status, xml.as_bytes()) {
                Err(ResponseError::Service(error)) => error,
                other => panic!("{status} {raw}: {:?}", other.map(|_| ()).map_err(|e| e.to_string())),
            };
            assert_eq!(whole.meta().code(), Some("InvalidGroup.NotFound"));
            assert_eq!(whole.meta().message(), Some(text.as_str()), "{raw}");
            for (size, offset) in chunkings() {
                match parse_response_body::<DescribeSecurityGroups>(status, chunked(xml.as_bytes(), size, offset)) {
                    Err(ResponseError::Service(error)) => {
                        assert_eq!(error.meta().message(), whole.meta().message(), "{status}, {size} after {offset}");
                        assert_eq!(error.meta().code(), whole.meta().code());
                        assert_eq!(error.request_id(), Some("r-2"));
                    }
                    other => panic!("{status}, {size} after {offset}: {:?}", other.map(|_| ())),
                }
            }
        }
    }
}
