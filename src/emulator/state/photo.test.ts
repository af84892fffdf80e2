/** Generated profile photos: valid PNGs, deterministic, initials drawn. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { inflateSync } from 'node:zlib'
import { generatePhoto, PHOTO_SIZE } from './photo.ts'

/** The RGB pixels of one of our PNGs (a single IDAT, filter 0 on every row). */
function pixels(png: Uint8Array): {
  width: number
  height: number
  rgb: (x: number, y: number) => string
} {
  const bytes = Buffer.from(png)
  assert.deepEqual([...bytes.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10])
  const width = bytes.readUInt32BE(16)
  const height = bytes.readUInt32BE(20)
  const idat = bytes.indexOf('IDAT', 0, 'latin1')
  const data = inflateSync(bytes.subarray(idat + 4, idat + 4 + bytes.readUInt32BE(idat - 4)))
  const stride = width * 3 + 1
  return {
    width,
    height,
    rgb: (x, y) => [...data.subarray(y * stride + 1 + x * 3, y * stride + 4 + x * 3)].join(','),
  }
}

test('a 240×240 PNG: same name, same bytes; another name, another picture', () => {
  const adele = generatePhoto('Adele Vance')
  const { width, height } = pixels(adele)
  assert.equal(PHOTO_SIZE, 240)
  assert.deepEqual([width, height], [240, 240])
  assert.deepEqual(Buffer.from(generatePhoto('Adele Vance')), Buffer.from(adele))
  assert.notDeepEqual(Buffer.from(generatePhoto('Megan Bowen')), Buffer.from(adele))
})

test('white, anti-aliased initials centred on a solid background', () => {
  const { rgb } = pixels(generatePhoto('Adele Vance'))
  const background = rgb(0, 0)
  assert.equal(rgb(239, 239), background)
  assert.notEqual(background, '255,255,255')
  const colours = new Map<string, number>()
  for (let y = 0; y < 240; y++)
    for (let x = 0; x < 240; x++) colours.set(rgb(x, y), (colours.get(rgb(x, y)) ?? 0) + 1)
  assert.ok((colours.get('255,255,255') ?? 0) > 1500, 'bold strokes: plenty of full ink')
  assert.ok(colours.size > 20, 'edges blend the ink into the background')
  let left = 240
  let right = 0
  let top = 240
  let bottom = 0
  for (let y = 0; y < 240; y++) {
    for (let x = 0; x < 240; x++) {
      if (rgb(x, y) === background) continue
      left = Math.min(left, x)
      right = Math.max(right, x)
      top = Math.min(top, y)
      bottom = Math.max(bottom, y)
    }
  }
  assert.ok(
    Math.abs(left + right - 239) <= 2 && Math.abs(top + bottom - 239) <= 2,
    `centred: ${left}-${right} × ${top}-${bottom}`,
  )
  assert.ok(bottom - top > 60 && bottom - top < 100, 'initials about a third of the photo high')
})

test('names with accents, one word or other scripts still give initials', () => {
  for (const name of ['Léa Dupont', 'Hamid', 'Ωmega Test', '', '   '])
    assert.equal(pixels(generatePhoto(name)).width, 240, name)
})

test('a data folder with avatars of another size gets them redrawn on start', async () => {
  const { openDatabase } = await import('./db.ts')
  const { createDirectory } = await import('./directory.ts')
  const db = openDatabase()
  const adele = createDirectory(db).findUser('adele@contoso.test')!
  const old = Buffer.from(generatePhoto('x'))
  old.writeUInt32BE(120, 16)
  db.prepare('UPDATE users SET photo = ? WHERE id = ?').run(old, adele.id)
  const photo = createDirectory(db).userPhoto(adele.id)!
  assert.deepEqual(Buffer.from(photo.bytes), Buffer.from(generatePhoto('Adele Vance')))
  db.close()
})
