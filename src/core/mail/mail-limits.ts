/** The app's policy for one message (SE-08); Graph allows 500 recipients and 150 MB attachments. */
export const mailLimits = {
  recipients: 100, // To + Cc + Bcc after de-duplication
  subjectChars: 255,
  bodyBytes: 1024 * 1024, // 1 MB of UTF-8
  attachmentsBytes: 25 * 1024 * 1024, // 25 MB for all attachments together
  attachments: 20,
  attachmentNameChars: 255,
  inlineAttachmentBytes: 3 * 1024 * 1024, // up to 3 MB an attachment travels inside the sendMail JSON…
  inlineTotalBytes: 3 * 1024 * 1024, // …while the inline ones together stay under Graph's 4 MB request limit
  uploadChunkBytes: 4 * 1024 * 1024, // upload-session ranges
  // Through a draft (Mail.ReadWrite) an attachment goes up by upload session: Graph's ceiling for one attachment, and
  // what Exchange Online accepts at most for a whole message (a mailbox may be set lower; the web form keeps 25 MB)
  draftAttachmentsBytes: 150 * 1024 * 1024,
} as const
