/** `keepPhoto` and `readPhoto`: the user's profile photo, fetched once at sign-in and served from the store. */
import type { FastifyBaseLogger } from 'fastify'
import type { GraphClient, Store } from '../core/index.ts'

/** A photo as kept under `photo:<partition>`: base64, so that the store's JSON holds it. */
export interface StoredPhoto {
  contentType: string
  data: string
}

const maxPhotoBytes = 100_000
const photoTypes = /^image\/(jpeg|png|gif|webp)$/

/** The store key of a sign-in's photo. */
export const photoKey = (partition: string) => `photo:${partition}`

/** What keepPhoto needs: the user's Graph client and where (and how long) to keep the photo. */
export interface KeepPhotoOptions {
  graph: () => Pick<GraphClient, 'getMyPhoto'>
  store: Store
  partition: string
  ttlSeconds: number
  log: FastifyBaseLogger
}

/** True when a photo was kept. No photo (none, too large, an unknown type, or Graph failing) is fine. */
export async function keepPhoto(options: KeepPhotoOptions): Promise<boolean> {
  try {
    const photo = await options.graph().getMyPhoto()
    if (!photo || photo.bytes.byteLength > maxPhotoBytes || !photoTypes.test(photo.contentType))
      return false
    const stored: StoredPhoto = {
      contentType: photo.contentType,
      data: Buffer.from(photo.bytes).toString('base64'),
    }
    await options.store.set(photoKey(options.partition), stored, options.ttlSeconds)
    return true
  } catch (error) {
    options.log.info(
      { event: 'photo.unavailable', code: (error as { code?: string }).code },
      'no profile photo',
    )
    return false
  }
}

/** The kept photo of a sign-in, if it has one. */
export function readPhoto(store: Store, partition: string): Promise<StoredPhoto | undefined> {
  return store.get<StoredPhoto>(photoKey(partition))
}
