import { describe, expect, it } from 'vitest'
import { smsSegments } from '../../shared/tasks/text-limits/sms-segments'

describe('smsSegments', () => {
  it('fits 160 GSM characters in one segment and splits 161 into two of 153', () => {
    expect(smsSegments('a'.repeat(160))).toEqual({
      encoding: 'GSM-7',
      units: 160,
      segments: 1,
      perSegment: 160,
    })
    expect(smsSegments('a'.repeat(161))).toEqual({
      encoding: 'GSM-7',
      units: 161,
      segments: 2,
      perSegment: 153,
    })
    expect(smsSegments('a'.repeat(306)).segments).toBe(2)
    expect(smsSegments('a'.repeat(307)).segments).toBe(3)
  })

  it('accepts the whole GSM alphabet, Greek capitals and accented letters included', () => {
    const text = '@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ!"#¤%&\'()*+,-./:;<=>?¡ÄÖÑÜ§¿äöñüà\n\r'
    expect(smsSegments(text).encoding).toBe('GSM-7')
    expect(smsSegments(text).units).toBe(Array.from(text).length)
  })

  it('counts extension characters as two septets', () => {
    expect(smsSegments('€').units).toBe(2)
    expect(smsSegments('^{}\\[~]|€\f')).toMatchObject({ encoding: 'GSM-7', units: 20, segments: 1 })
    expect(smsSegments(`${'a'.repeat(158)}€`)).toMatchObject({ units: 160, segments: 1 })
    expect(smsSegments(`${'a'.repeat(159)}€`)).toMatchObject({ units: 161, segments: 2 })
  })

  it('does not split an extension character across segments', () => {
    // After 152 septets, € would straddle the 153-septet boundary, so it opens segment 2.
    const straddling = `${'a'.repeat(152)}€${'a'.repeat(152)}`
    expect(smsSegments(straddling)).toMatchObject({ units: 306, segments: 3 })
    const aligned = `${'a'.repeat(151)}€${'a'.repeat(153)}`
    expect(smsSegments(aligned)).toMatchObject({ units: 306, segments: 2 })
  })

  it('switches to UCS-2 for one emoji or a character outside GSM', () => {
    expect(smsSegments(`Sale ${'a'.repeat(60)} 🎉`)).toMatchObject({
      encoding: 'UCS-2',
      units: 68,
      segments: 1,
    })
    expect(smsSegments('ç')).toMatchObject({ encoding: 'UCS-2', units: 1 })
    expect(smsSegments('`')).toMatchObject({ encoding: 'UCS-2' })
  })

  it('fits 70 UCS-2 units in one segment and splits 71 into parts of 67', () => {
    expect(smsSegments('ж'.repeat(70))).toEqual({ encoding: 'UCS-2', units: 70, segments: 1, perSegment: 70 })
    expect(smsSegments('ж'.repeat(71))).toEqual({ encoding: 'UCS-2', units: 71, segments: 2, perSegment: 67 })
    expect(smsSegments('ж'.repeat(134)).segments).toBe(2)
    expect(smsSegments('ж'.repeat(135)).segments).toBe(3)
  })

  it('does not split a surrogate pair across segments', () => {
    expect(smsSegments(`${'ж'.repeat(66)}😀${'ж'.repeat(66)}`)).toMatchObject({ units: 134, segments: 3 })
    expect(smsSegments(`${'ж'.repeat(65)}😀${'ж'.repeat(67)}`)).toMatchObject({ units: 134, segments: 2 })
    expect(smsSegments('😀'.repeat(35))).toMatchObject({ units: 70, segments: 1 })
  })
})
